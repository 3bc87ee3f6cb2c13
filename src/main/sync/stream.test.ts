import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { type HubEvent } from '../../shared/api/events.js';
import { silentLogger } from '../logger.js';
import { HubStream, streamUrl, type StreamState } from './stream.js';

/** A scripted stand-in for the hub's /api/v1/stream endpoint, to drive the consumer's edge cases. */
interface FakeHub {
  url: string;
  connections: { request: IncomingMessage; socket: WebSocket }[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const streams: HubStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) await s.stop();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function fakeHub(
  onConnect: (socket: WebSocket, url: URL) => void,
  port = 0,
): Promise<FakeHub> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const connections: FakeHub['connections'] = [];
  wss.on('connection', (socket, request) => {
    connections.push({ request, socket });
    onConnect(socket, new URL(request.url ?? '/', 'http://x'));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const event = (id: number, type: HubEvent['type'] = 'message.received'): HubEvent => ({
  id,
  type,
  occurredAt: '2026-01-01T10:00:00.000Z',
  agentId: null,
  ticketId: null,
  taskId: null,
  queueId: null,
  data: {},
});
const send = (socket: WebSocket, frame: unknown) => socket.send(JSON.stringify(frame));

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function consumer(
  hubUrl: string,
  options: { cursor?: number | null; apply?: (e: HubEvent) => Promise<void> } = {},
) {
  let cursor: number | null = options.cursor ?? null;
  const applied: number[] = [];
  const states: StreamState[] = [];
  const unauthorized: string[] = [];
  const stream = new HubStream({
    hubUrl,
    token: 'tok',
    getCursor: () => cursor,
    saveCursor: (id) => {
      cursor = id;
    },
    apply: options.apply ?? (async (e) => void applied.push(e.id)),
    onState: (s) => states.push(s),
    onUnauthorized: (reason) => unauthorized.push(reason),
    logger: silentLogger,
    backoff: { baseMs: 20, maxMs: 50 },
  });
  streams.push(stream);
  stream.start();
  return { stream, applied, states, unauthorized, cursor: () => cursor };
}

describe('HubStream', () => {
  it('builds ws/wss URLs with the resume cursor', () => {
    expect(streamUrl('http://127.0.0.1:7700', null)).toBe('ws://127.0.0.1:7700/api/v1/stream');
    expect(streamUrl('https://hub.example/', 42)).toBe('wss://hub.example/api/v1/stream?after=42');
  });

  it('authenticates with the Authorization header, resumes after the cursor, applies in order', async () => {
    const hub = await fakeHub((socket) => {
      send(socket, { kind: 'ready', lastEventId: 12 });
      for (const id of [11, 12]) send(socket, { kind: 'event', event: event(id) });
    });
    const c = consumer(hub.url, { cursor: 10 });
    await until(() => c.applied.length === 2, 'two events');
    expect(c.applied).toEqual([11, 12]);
    expect(c.cursor()).toBe(12);
    const request = hub.connections[0]!.request;
    expect(request.headers.authorization).toBe('Bearer tok');
    expect(request.url).toBe('/api/v1/stream?after=10');
    expect(c.states.map((s) => s.status)).toEqual(['connecting', 'online']);
  });

  it('starts from "now" without a cursor and stores the ready position', async () => {
    const hub = await fakeHub((socket) => send(socket, { kind: 'ready', lastEventId: 99 }));
    const c = consumer(hub.url);
    await until(() => c.cursor() === 99, 'cursor from ready');
    expect(hub.connections[0]!.request.url).toBe('/api/v1/stream');
  });

  it('persists an event only after it was applied, and replays it after a failed apply', async () => {
    let release!: () => void;
    let failOnce = true;
    const applied: number[] = [];
    const hub = await fakeHub((socket, url) => {
      send(socket, { kind: 'ready', lastEventId: 3 });
      const after = Number(url.searchParams.get('after') ?? 0);
      for (const id of [1, 2, 3].filter((i) => i > after))
        send(socket, { kind: 'event', event: event(id) });
    });
    const c = consumer(hub.url, {
      cursor: 0,
      apply: async (e) => {
        if (e.id === 1) await new Promise<void>((r) => (release = r));
        if (e.id === 2 && failOnce) {
          failOnce = false;
          throw new Error('disk full');
        }
        applied.push(e.id);
      },
    });
    await until(() => release !== undefined, 'apply of event 1 started');
    expect(c.cursor()).toBe(0); // still being applied: not persisted
    release();
    await until(() => applied.includes(3), 'event 3 after the replay');
    expect(applied).toEqual([1, 2, 3]);
    expect(c.cursor()).toBe(3);
    // The second connection resumed after event 1, the last one applied.
    expect(hub.connections[1]!.request.url).toBe('/api/v1/stream?after=1');
  });

  it('goes offline with the reason, and reconnects with backoff when the hub is back', async () => {
    let hub = await fakeHub((socket) => send(socket, { kind: 'ready', lastEventId: 1 }));
    const port = Number(new URL(hub.url).port);
    const c = consumer(hub.url, { cursor: 1 });
    await until(() => c.states.at(-1)?.status === 'online', 'online');
    await hub.close();
    await until(() => c.states.some((s) => s.status === 'offline' && s.lastError), 'offline');
    hub = await fakeHub((socket) => send(socket, { kind: 'ready', lastEventId: 1 }), port);
    await until(() => c.states.at(-1)?.status === 'online', 'online again');
    expect(hub.connections[0]!.request.url).toBe('/api/v1/stream?after=1');
  });

  it('stops for good when the hub refuses the token (close 4401)', async () => {
    const hub = await fakeHub((socket) => {
      send(socket, { kind: 'error', code: 'unauthorized', message: 'bad token' });
      socket.close(4401, 'bad token');
    });
    const c = consumer(hub.url);
    await until(() => c.unauthorized.length > 0, 'unauthorized');
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.connections).toHaveLength(1);
    expect(c.unauthorized).toHaveLength(1);
  });
});
