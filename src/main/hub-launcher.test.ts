import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { launchDemoHub, type SpawnHub } from './hub-launcher.js';
import { silentLogger } from './logger.js';

/** A stand-in hub process: a Node one-liner that behaves like the CLI (prints its URL, or fails). */
function scriptedHub(script: string, calls: string[][]): SpawnHub {
  return (args) => {
    calls.push(args);
    return spawn(process.execPath, ['-e', script, '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
}

const LISTENING = `
const args = process.argv.slice(process.argv.indexOf('--') + 1);
const port = args[args.indexOf('--port') + 1];
const server = require('node:http').createServer();
server.listen(Number(port), '127.0.0.1', () => {
  console.log('Concierge hub listening on http://127.0.0.1:' + server.address().port);
});
process.on('SIGTERM', () => process.exit(0));`;

describe('launchDemoHub', () => {
  it('uses the preferred port when free, passes --demo and the data dir, and stops the process', async () => {
    const calls: string[][] = [];
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const freePort = (probe.address() as { port: number }).port;
    probe.close();
    const hub = await launchDemoHub({
      spawn: scriptedHub(LISTENING, calls),
      dataDir: '/tmp/demo-hub',
      logger: silentLogger,
      preferredPort: freePort,
    });
    expect(hub.url).toBe(`http://127.0.0.1:${freePort}`);
    expect(calls[0]).toEqual([
      '--demo',
      '--host',
      '127.0.0.1',
      '--port',
      String(freePort),
      '--data-dir',
      '/tmp/demo-hub',
    ]);
    await hub.stop();
    expect((await fetch(hub.url).catch((e: unknown) => e)) instanceof Error).toBe(true);
  });

  it('falls back to a free port when the preferred one is taken', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const port = (busy.address() as { port: number }).port;
    const calls: string[][] = [];
    const hub = await launchDemoHub({
      spawn: scriptedHub(LISTENING, calls),
      dataDir: '/tmp/x',
      logger: silentLogger,
      preferredPort: port,
    });
    expect(calls[0]).toContain('0');
    expect(hub.url).not.toBe(`http://127.0.0.1:${port}`);
    await hub.stop();
    busy.close();
  });

  it('surfaces the hub’s stderr when it fails to start', async () => {
    const calls: string[][] = [];
    const failing = scriptedHub("console.error('database is locked'); process.exit(3)", calls);
    await expect(
      launchDemoHub({ spawn: failing, dataDir: '/tmp/x', logger: silentLogger, preferredPort: 0 }),
    ).rejects.toThrow(/exited before it was ready\s+database is locked/);
  });
});
