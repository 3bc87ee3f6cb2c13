import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Notification } from '../../src/shared/bridge/contract.js';
import { silentLogger } from '../../src/main/logger.js';
import { createServices, type OutboxOptions, type Services } from '../../src/main/services.js';
import { MemorySecretStore } from '../../src/main/session/secret-store.js';

export interface Recorded {
  name: string;
  payload: unknown;
}

/** Services as the shells build them, with recorded events and notifications. */
export function makeServices(options: {
  dataDir: string;
  secrets?: MemorySecretStore;
  defaultHubUrl?: string | null;
  fetch?: typeof fetch;
  outbox?: OutboxOptions;
}) {
  const events: Recorded[] = [];
  const notifications: Notification[] = [];
  const secrets = options.secrets ?? new MemorySecretStore();
  const services: Services = createServices({
    dataDir: options.dataDir,
    secrets,
    notifier: { notify: (n) => notifications.push(n) },
    app: { version: '0.0.0-test', transport: 'web', platform: process.platform },
    defaultHubUrl: options.defaultHubUrl ?? null,
    logger: silentLogger,
    fetch: options.fetch,
    requestTimeoutMs: 3_000,
    replyWaitMs: 3_000,
    outbox: { backoff: { baseMs: 50, maxMs: 300 }, ...options.outbox },
    streamBackoff: { baseMs: 50, maxMs: 300 },
    streamHeartbeatMs: 1_000,
  });
  services.onEvent((name, payload) => events.push({ name, payload }));
  return { services, events, notifications, secrets };
}

/** Resolves with the first recorded item (from `from` on) matching, or fails after `timeoutMs`. */
export async function waitFor<T>(
  list: T[],
  match: (item: T) => boolean,
  what: string,
  from = 0,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = list.slice(from).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A TCP relay in front of the hub that the test can cut and restore: a real network outage for
 * the client, while the hub keeps running.
 */
export async function startRelay(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        sockets.add(client);
        const upstream = createConnectionTo(target);
        sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  await up();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async down() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    up,
  };
}

function createConnectionTo(target: URL): Socket {
  return connect(Number(target.port), target.hostname);
}
