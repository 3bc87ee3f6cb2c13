import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WsServerFrame } from '../../shared/bridge/ws-protocol.js';
import { silentLogger } from '../logger.js';
import { type Services } from '../services.js';
import { offlineServices } from './test-services.js';
import { attachBridgeWsServer, type BridgeWsServer } from './ws-server.js';

let server: Server;
let bridge: BridgeWsServer;
let services: Services;
let port: number;
let emit: (name: 'notify', payload: unknown) => void = () => undefined;

beforeAll(async () => {
  services = offlineServices();
  await services.start();
  server = createServer((_req, res) => res.end('page'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
  bridge = attachBridgeWsServer({
    server,
    handlers: services.handlers,
    // Events come from the real services plus a test hook to push one on demand.
    subscribe: (listener) => {
      emit = listener;
      return services.onEvent(listener);
    },
    logger: silentLogger,
  });
});

afterAll(async () => {
  await bridge.close();
  await services.stop();
  server.close();
});

async function connect(origin: string | null = `http://127.0.0.1:${port}`) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, origin ? { origin } : {});
  const frames: WsServerFrame[] = [];
  ws.on('message', (data) => frames.push(WsServerFrame.parse(JSON.parse(data.toString()))));
  await once(ws, 'open');
  const next = async () => {
    const deadline = Date.now() + 5_000;
    while (frames.length === 0) {
      if (Date.now() > deadline) throw new Error('no frame');
      await new Promise((r) => setTimeout(r, 10));
    }
    return frames.shift()!;
  };
  return { ws, next };
}

describe('bridge over WebSocket (browser mode)', () => {
  it('answers a valid call with the handler’s value', async () => {
    const { ws, next } = await connect();
    ws.send(JSON.stringify({ t: 'call', id: 7, name: 'app.info', payload: {} }));
    expect(await next()).toEqual({
      t: 'result',
      id: 7,
      envelope: {
        ok: true,
        value: {
          version: '1.2.3',
          transport: 'web',
          platform: 'linux',
          defaultHubUrl: 'http://127.0.0.1:7700',
        },
      },
    });
    ws.close();
  });

  it('rejects an invalid payload with invalid_request and the failing field', async () => {
    const { ws, next } = await connect();
    ws.send(
      JSON.stringify({ t: 'call', id: 1, name: 'tickets.get', payload: { ticketId: 'nope' } }),
    );
    const frame = await next();
    expect(frame).toMatchObject({
      t: 'result',
      id: 1,
      envelope: { ok: false, error: { code: 'invalid_request' } },
    });
    const error = (frame as { envelope: { error: { details: { path: string }[] } } }).envelope
      .error;
    expect(error.details.map((d) => d.path)).toEqual(['ticketId']);

    ws.send(
      JSON.stringify({
        t: 'call',
        id: 2,
        name: 'session.login',
        payload: { hubUrl: 'ftp://x', login: 'a', password: 'b', extra: 1 },
      }),
    );
    expect(await next()).toMatchObject({
      id: 2,
      envelope: { ok: false, error: { code: 'invalid_request' } },
    });
    ws.close();
  });

  it('answers an unknown call with unknown_call', async () => {
    const { ws, next } = await connect();
    ws.send(JSON.stringify({ t: 'call', id: 3, name: 'fs.readFile', payload: {} }));
    expect(await next()).toMatchObject({
      id: 3,
      envelope: { ok: false, error: { code: 'unknown_call' } },
    });
    ws.close();
  });

  it('answers malformed frames with a typed error and keeps the connection', async () => {
    const { ws, next } = await connect();
    ws.send('{not json');
    expect(await next()).toMatchObject({
      t: 'result',
      id: 0,
      envelope: {
        ok: false,
        error: { code: 'invalid_request', message: 'malformed frame: not JSON' },
      },
    });
    ws.send(JSON.stringify({ t: 'call', id: 4 }));
    expect(await next()).toMatchObject({
      id: 4,
      envelope: { ok: false, error: { code: 'invalid_request' } },
    });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await next()).toMatchObject({ envelope: { ok: false } });
    ws.send(JSON.stringify({ t: 'call', id: 5, name: 'ping', payload: {} }));
    expect(await next()).toEqual({
      t: 'result',
      id: 5,
      envelope: { ok: true, value: { ok: true } },
    });
    ws.close();
  });

  it('refuses pages from another origin, and a missing Origin', async () => {
    for (const origin of [
      'https://evil.example',
      `http://127.0.0.1.evil.example:${port}`,
      `http://127.0.0.1:${port + 1}`,
      null,
    ]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, origin ? { origin } : {});
      const [error] = (await once(ws, 'error')) as [Error];
      expect(error.message).toContain('403');
    }
  });

  it('refuses a rebinding attack (foreign Host and Origin that agree)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, {
      origin: `http://attacker.example:${port}`,
      headers: { host: `attacker.example:${port}` },
    });
    const [error] = (await once(ws, 'error')) as [Error];
    expect(error.message).toContain('403');
  });

  it('broadcasts main’s events to every connected page', async () => {
    const a = await connect();
    const b = await connect();
    const notice = { kind: 'assignment', title: 't', body: 'b', ticketId: null };
    emit('notify', notice);
    expect(await a.next()).toEqual({ t: 'event', name: 'notify', payload: notice });
    expect(await b.next()).toEqual({ t: 'event', name: 'notify', payload: notice });
    expect(bridge.clientCount).toBeGreaterThanOrEqual(2);
    a.ws.close();
    b.ws.close();
  });
});
