import { type RawBridge } from '../../shared/bridge/client.js';
import { type BridgeEnvelope } from '../../shared/bridge/errors.js';
import { WsServerFrame, type WsClientFrame } from '../../shared/bridge/ws-protocol.js';

/** The part of a WebSocket this transport uses: the browser's WebSocket and the `ws` package both fit. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type TransportStatus = 'connecting' | 'open' | 'closed';

export interface WsRawBridge extends RawBridge {
  readonly status: TransportStatus;
  /** Called on every status change; the renderer resynchronises its stores after a reconnect. */
  onStatus(listener: (status: TransportStatus) => void): () => void;
  /** Stops reconnecting and closes the socket; pending calls fail with transport_closed. */
  close(): void;
}

export interface WsRawBridgeOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** Reconnect back-off bounds in ms: doubles from min up to max after each failed attempt. */
  minDelayMs?: number;
  maxDelayMs?: number;
  onBadFrame?: (data: unknown) => void;
}

const OPEN = 1;

const transportClosed = (message: string): BridgeEnvelope => ({
  ok: false,
  error: { code: 'transport_closed', message },
});

/**
 * Browser-mode transport: the bridge calls and events as WsClientFrame/WsServerFrame over one
 * WebSocket. Calls made while the socket is (re)connecting wait for it; calls in flight when it
 * drops are answered with `transport_closed` so no promise hangs and the UI can say so.
 */
export function createWsRawBridge(options: WsRawBridgeOptions): WsRawBridge {
  const createSocket =
    options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;

  const pending = new Map<number, (envelope: BridgeEnvelope) => void>();
  /** Frames of calls made before the socket was open, sent in order once it is. */
  let outbox: WsClientFrame[] = [];
  const eventListeners = new Set<(name: string, payload: unknown) => void>();
  const statusListeners = new Set<(status: TransportStatus) => void>();

  let socket: SocketLike | null = null;
  let status: TransportStatus = 'connecting';
  let nextId = 1;
  let delay = minDelay;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  const setStatus = (next: TransportStatus): void => {
    if (status === next) return;
    status = next;
    for (const listener of [...statusListeners]) listener(next);
  };

  const failAll = (message: string): void => {
    const waiting = [...pending.values()];
    pending.clear();
    outbox = [];
    for (const resolve of waiting) resolve(transportClosed(message));
  };

  const handleMessage = (data: unknown): void => {
    let json: unknown;
    try {
      json = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      options.onBadFrame?.(data);
      return;
    }
    const frame = WsServerFrame.safeParse(json);
    if (!frame.success) {
      options.onBadFrame?.(json);
      return;
    }
    if (frame.data.t === 'result') {
      const resolve = pending.get(frame.data.id);
      if (!resolve) return;
      pending.delete(frame.data.id);
      resolve(frame.data.envelope);
      return;
    }
    const { name, payload } = frame.data;
    for (const listener of [...eventListeners]) listener(name, payload);
  };

  const connect = (): void => {
    reconnectTimer = null;
    if (disposed) return;
    setStatus('connecting');
    let current: SocketLike;
    try {
      current = createSocket(options.url);
    } catch {
      // An invalid URL throws synchronously; treat it like a failed attempt.
      failAll('cannot open the connection to the console service');
      setStatus('closed');
      scheduleReconnect();
      return;
    }
    socket = current;
    current.onopen = () => {
      if (socket !== current) return;
      delay = minDelay;
      setStatus('open');
      const queued = outbox;
      outbox = [];
      for (const frame of queued) current.send(JSON.stringify(frame));
    };
    current.onmessage = (event) => {
      if (socket === current) handleMessage(event.data);
    };
    current.onerror = () => undefined; // a close event always follows; handled there
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failAll('the connection to the console service was lost');
      setStatus('closed');
      scheduleReconnect();
    };
  };

  const scheduleReconnect = (): void => {
    if (disposed || reconnectTimer) return;
    reconnectTimer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, maxDelay);
  };

  connect();

  return {
    get status() {
      return status;
    },
    invoke(name, payload) {
      if (disposed || status === 'closed') {
        return Promise.resolve(transportClosed('not connected to the console service'));
      }
      const frame: WsClientFrame = { t: 'call', id: nextId++, name, payload };
      return new Promise<BridgeEnvelope>((resolve) => {
        pending.set(frame.id, resolve);
        if (status === 'open' && socket?.readyState === OPEN) socket.send(JSON.stringify(frame));
        else outbox.push(frame);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      disposed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const current = socket;
      socket = null;
      failAll('the bridge was closed');
      setStatus('closed');
      current?.close(1000, 'closed by the renderer');
    },
  };
}
