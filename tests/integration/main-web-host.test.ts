import { once } from 'node:events';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WsServerFrame } from '../../src/shared/bridge/ws-protocol.js';
import { startHub } from '../../src/hub/server.js';
import { startProcess, type Started } from '../support/processes.js';
import { tempDir } from './main-support.js';

/**
 * `npm run web` as a process: static renderer, bridge WebSocket on /bridge of the same server,
 * against a real hub; and, without --hub, the demo hub it launches itself.
 */
let hub: Awaited<ReturnType<typeof startHub>>;
const { dir, remove } = tempDir('concierge-web-host-');
const staticDir = join(dir, 'web');

beforeAll(async () => {
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Concierge test page</title>');
  hub = await startHub({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    simulator: false,
    scryptCost: 1024,
  });
});

afterAll(async () => {
  await hub?.close();
  remove();
});

function startWebHost(args: string[]) {
  return startProcess(
    'web host',
    'src/main/web-host.ts',
    ['--port', '0', '--static', staticDir, ...args],
    /Concierge console: (http\S+)/,
    90_000,
  );
}

async function bridge(url: string, origin = url) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/bridge`, { origin });
  const frames: WsServerFrame[] = [];
  ws.on('message', (data) => frames.push(WsServerFrame.parse(JSON.parse(data.toString()))));
  await once(ws, 'open');
  let id = 0;
  const call = async (name: string, payload: unknown = {}) => {
    const mine = ++id;
    ws.send(JSON.stringify({ t: 'call', id: mine, name, payload }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const frame = frames.find((f) => f.t === 'result' && f.id === mine);
      if (frame && frame.t === 'result') return frame.envelope;
      if (Date.now() > deadline) throw new Error(`no answer to ${name}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ws, frames, call };
}

describe('web host (npm run web)', () => {
  let web: Started;

  it('serves the page and the bridge on one origin and signs in against the hub', async () => {
    web = await startWebHost(['--hub', hub.url, '--data-dir', join(dir, 'desktop')]);
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(web.url);
    expect(await page.text()).toContain('Concierge test page');

    const { ws, frames, call } = await bridge(web.url);
    expect(await call('app.info')).toMatchObject({
      ok: true,
      value: { transport: 'web', defaultHubUrl: hub.url },
    });
    expect(
      await call('session.login', { hubUrl: hub.url, login: 'agent1', password: 'demo' }),
    ).toMatchObject({ ok: true, value: { status: 'signed_in', agent: { login: 'agent1' } } });
    expect(frames.some((f) => f.t === 'event' && f.name === 'session.changed')).toBe(true);
    // Browser mode keeps the token in a 0600 file of the data dir.
    expect(statSync(join(dir, 'desktop', 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await call('tickets.get', { ticketId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    await call('session.logout');
    ws.close();
  });

  it('refuses the bridge to a page from another origin', async () => {
    const ws = new WebSocket(`${web.url.replace('http', 'ws')}/bridge`, {
      origin: 'https://attacker.example',
    });
    const [error] = (await once(ws, 'error')) as [Error];
    expect(error.message).toContain('403');
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const exited = once(web.child, 'exit');
    web.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    await expect(fetch(web.url)).rejects.toThrow();
  });

  it('without --hub starts the demo hub, offers it on the login screen, and stops it on exit', async () => {
    const local = await startWebHost(['--data-dir', join(dir, 'demo-desktop'), '--no-simulator']);
    try {
      const { ws, call } = await bridge(local.url);
      const info = await call('app.info');
      const demoUrl = (info as { value: { defaultHubUrl: string } }).value.defaultHubUrl;
      expect(demoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${demoUrl}/api/v1/health`);
      expect(await health.json()).toMatchObject({ ok: true });
      ws.close();
      await local.stop();
      await expect(fetch(`${demoUrl}/api/v1/health`)).rejects.toThrow();
    } finally {
      await local.stop();
    }
  }, 120_000);
});
