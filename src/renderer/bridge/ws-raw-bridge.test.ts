/* eslint-disable no-restricted-imports -- this test runs in Node and plays main's side of the
   bridge with a real `ws` server; the code under test stays browser-only. */
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createBridgeClient } from '../../shared/bridge/client.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { WsClientFrame, type WsServerFrame } from '../../shared/bridge/ws-protocol.js';
import { bridgeUrlFor } from './bridge-url.js';
import { createWsRawBridge, type SocketLike, type WsRawBridge } from './ws-raw-bridge.js';

const agentStatus = {
  agentId: '4f7c1a52-6a0e-4a55-9a1c-2f3e4d5b6c7d',
  state: 'available',
  reason: null,
  since: '2026-11-22T09:00:00.000Z',
};

/** A tiny bridge server: answers calls the way main would, and lets a test drop sockets or push events. */
let server: WebSocketServer;
let url: string;
const sockets = new Set<WebSocket>();
/** When false, the server swallows calls, so a test can drop the socket while they are in flight. */
let answering = true;

function reply(ws: WebSocket, frame: WsServerFrame): void {
  ws.send(JSON.stringify(frame));
}

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/bridge' });
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/bridge`;
  server.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const frame = WsClientFrame.parse(JSON.parse(String(data)));
      if (!answering) return;
      if (frame.name === 'ping') {
        reply(ws, { t: 'result', id: frame.id, envelope: { ok: true, value: { ok: true } } });
      } else if (frame.name === 'agent.setState') {
        reply(ws, { t: 'result', id: frame.id, envelope: { ok: true, value: agentStatus } });
      } else {
        reply(ws, {
          t: 'result',
          id: frame.id,
          envelope: {
            ok: false,
            error: { code: 'unauthorized', message: 'wrong login or password' },
          },
        });
      }
    });
  });
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const bridges: WsRawBridge[] = [];
afterEach(() => {
  answering = true;
  while (bridges.length) bridges.pop()?.close();
});

function open(): WsRawBridge {
  const raw = createWsRawBridge({
    url,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
    minDelayMs: 20,
    maxDelayMs: 40,
  });
  bridges.push(raw);
  return raw;
}

const waitFor = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WebSocket raw bridge', () => {
  it('resolves calls made before the socket is open with the typed answer', async () => {
    const api = createBridgeClient(open());
    await expect(api.call('ping', {})).resolves.toEqual({ ok: true });
    await expect(api.call('agent.setState', { state: 'available' })).resolves.toEqual(agentStatus);
  });

  it('turns an error envelope into a BridgeError carrying its code', async () => {
    const api = createBridgeClient(open());
    const error = await api
      .call('session.login', { hubUrl: 'http://127.0.0.1:7700', login: 'agent1', password: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('unauthorized');
  });

  it('delivers events pushed by main to the typed listener', async () => {
    const raw = open();
    const api = createBridgeClient(raw);
    const received: unknown[] = [];
    api.on('agent.changed', (status) => received.push(status));
    await waitFor(() => raw.status === 'open' && sockets.size > 0, 'the socket');
    for (const ws of sockets) {
      reply(ws, { t: 'event', name: 'agent.changed', payload: agentStatus });
      // An event that fails its schema never reaches the listener.
      reply(ws, { t: 'event', name: 'agent.changed', payload: { state: 'dancing' } });
    }
    await waitFor(() => received.length > 0, 'the event');
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual([agentStatus]);
  });

  it('fails calls in flight with transport_closed when the socket drops, then reconnects', async () => {
    const raw = open();
    const api = createBridgeClient(raw);
    await api.call('ping', {});
    const statuses: string[] = [];
    raw.onStatus((s) => statuses.push(s));

    answering = false;
    const inFlight = api.call('ping', {}).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    for (const ws of sockets) ws.terminate();

    const error = await inFlight;
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('transport_closed');

    answering = true;
    await waitFor(() => raw.status === 'open', 'the reconnect');
    expect(statuses).toEqual(['closed', 'connecting', 'open']);
    await expect(api.call('ping', {})).resolves.toEqual({ ok: true });
  });

  it('fails calls at once while disconnected instead of leaving them hanging', async () => {
    const raw = createWsRawBridge({
      url: 'ws://127.0.0.1:1/bridge', // nothing listens on port 1
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      minDelayMs: 10_000,
    });
    bridges.push(raw);
    const api = createBridgeClient(raw);
    const first = await api.call('ping', {}).catch((e: unknown) => e);
    expect((first as BridgeError).code).toBe('transport_closed');
    expect(raw.status).toBe('closed');
    const second = await api.call('ping', {}).catch((e: unknown) => e);
    expect((second as BridgeError).code).toBe('transport_closed');
  });
});

describe('bridge URL', () => {
  it('uses /bridge on the page host, wss on https', () => {
    expect(bridgeUrlFor({ protocol: 'http:', host: '127.0.0.1:7800', search: '' })).toBe(
      'ws://127.0.0.1:7800/bridge',
    );
    expect(bridgeUrlFor({ protocol: 'https:', host: 'console.example', search: '?lang=pl' })).toBe(
      'wss://console.example/bridge',
    );
  });

  it('honours a ws:// ?bridge= override and ignores anything else', () => {
    expect(
      bridgeUrlFor({
        protocol: 'http:',
        host: 'localhost:5173',
        search: '?bridge=ws%3A%2F%2F127.0.0.1%3A7800%2Fbridge',
      }),
    ).toBe('ws://127.0.0.1:7800/bridge');
    expect(
      bridgeUrlFor({ protocol: 'http:', host: 'localhost:5173', search: '?bridge=javascript:x' }),
    ).toBe('ws://localhost:5173/bridge');
  });
});
