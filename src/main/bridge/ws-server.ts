import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { type EventName } from '../../shared/bridge/contract.js';
import { type BridgeEnvelope } from '../../shared/bridge/errors.js';
import { dispatchCall, type BridgeHandlers } from '../../shared/bridge/server.js';
import { WsClientFrame, type WsServerFrame } from '../../shared/bridge/ws-protocol.js';
import { type Logger } from '../logger.js';
import { isAllowedBridgeOrigin } from './origin.js';

export const BRIDGE_PATH = '/bridge';

export interface BridgeWsServerOptions {
  server: Server;
  handlers: BridgeHandlers;
  /** Subscribes to main's events (Services.onEvent); they are broadcast to every page. */
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void;
  logger: Logger;
  /** Origins allowed besides the host's own (e.g. a Vite dev server on another port). */
  extraOrigins?: readonly string[];
  /** Largest accepted frame; a reply is at most 100 000 characters. */
  maxPayloadBytes?: number;
}

export interface BridgeWsServer {
  readonly clientCount: number;
  close(): Promise<void>;
}

const errorEnvelope = (message: string, details?: unknown): BridgeEnvelope => ({
  ok: false,
  error: { code: 'invalid_request', message, ...(details === undefined ? {} : { details }) },
});

/**
 * The browser-mode transport: a WebSocket on `/bridge` of the host's HTTP server speaking
 * WsClientFrame/WsServerFrame. Every call goes through dispatchCall, exactly like Electron IPC.
 * Other upgrade requests (Vite's HMR socket) are left to their own listeners.
 */
export function attachBridgeWsServer(options: BridgeWsServerOptions): BridgeWsServer {
  const { server, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 2 * 1024 * 1024,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== BRIDGE_PATH) return;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    if (
      !isAllowedBridgeOrigin(
        request.headers.origin,
        request.headers.host,
        port,
        options.extraOrigins,
      )
    ) {
      logger.warn('refused a bridge connection from a foreign origin', {
        origin: request.headers.origin ?? null,
        host: request.headers.host ?? null,
      });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const send = (ws: WebSocket, frame: WsServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };

  const unsubscribe = options.subscribe((name, payload) => {
    const data = JSON.stringify({ t: 'event', name, payload } satisfies WsServerFrame);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(data);
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', (error) => logger.warn('bridge socket error', { error }));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void answer(ws, data, isBinary);
    });
  });

  async function answer(ws: WebSocket, data: RawData, isBinary: boolean) {
    // A malformed frame gets a typed error (id 0 when its own id cannot be read), never a crash.
    if (isBinary)
      return send(ws, {
        t: 'result',
        id: 0,
        envelope: errorEnvelope('binary frames are not accepted'),
      });
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return send(ws, { t: 'result', id: 0, envelope: errorEnvelope('malformed frame: not JSON') });
    }
    const frame = WsClientFrame.safeParse(json);
    if (!frame.success) {
      const rawId = (json as { id?: unknown } | null)?.id;
      const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 ? rawId : 0;
      return send(ws, {
        t: 'result',
        id,
        envelope: errorEnvelope(
          'malformed frame',
          frame.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        ),
      });
    }
    const { id, name, payload } = frame.data;
    const envelope = await dispatchCall(options.handlers, name, payload, (error) =>
      logger.error('bridge call failed', { name, error }),
    );
    send(ws, { t: 'result', id, envelope });
  }

  return {
    get clientCount() {
      return wss.clients.size;
    },
    close() {
      unsubscribe();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
