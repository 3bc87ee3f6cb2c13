import WebSocket from 'ws';
import { StreamFrame, type HubEvent } from '../../shared/api/events.js';
import { type Logger } from '../logger.js';
import { backoffDelay, type BackoffOptions } from '../util/backoff.js';

export type StreamStatus = 'connecting' | 'online' | 'offline';

export interface StreamState {
  status: StreamStatus;
  lastError: string | null;
}

export interface HubStreamOptions {
  hubUrl: string;
  token: string;
  /** The id of the last event applied to the cache, or null to start from now. */
  getCursor(): number | null;
  /** Called after `apply` succeeded (or on `ready` without a cursor): persist the position. */
  saveCursor(eventId: number): void;
  /** Applies one event to the cache. Throwing means "not applied": the event is replayed. */
  apply(event: HubEvent): Promise<void>;
  /** After every (re)connection; the backlog follows. Use it to resynchronise what may be stale. */
  onReady?(info: { lastEventId: number; resumedFrom: number | null }): Promise<void> | void;
  onState(state: StreamState): void;
  /** The hub refused the token (close code 4401 or HTTP 401): the session is over. */
  onUnauthorized(reason: string): void;
  /**
   * The hub cannot resume after our cursor (close code 4410, `cursor_too_old`): forget the cursor
   * (getCursor must answer null from now on) and resynchronise at the next `onReady`.
   */
  onCursorTooOld?(): void;
  logger: Logger;
  backoff?: BackoffOptions;
  /** How often to ping; a connection silent for two intervals is considered dead. */
  heartbeatMs?: number;
  /** An event that failed this many times is skipped, so one poison event cannot stall the stream. */
  maxApplyAttempts?: number;
}

export const streamUrl = (hubUrl: string, after: number | null): string => {
  const url = new URL('/api/v1/stream', hubUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (after !== null) url.searchParams.set('after', String(after));
  return url.toString();
};

const UNAUTHORIZED_CLOSE = 4401;
const CURSOR_TOO_OLD_CLOSE = 4410;

/**
 * Consumer of the hub's event stream: connects with the bearer token in the Authorization header,
 * resumes after the persisted cursor, applies events strictly one at a time and in order, and
 * reconnects with exponential backoff and jitter until stopped.
 */
export class HubStream {
  private socket: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly failures = new Map<number, number>();
  private state: StreamState = { status: 'offline', lastError: null };

  constructor(private readonly options: HubStreamOptions) {}

  get current(): StreamState {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the connection and waits for the event being applied, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) socket.terminate();
    await this.chain.catch(() => undefined);
  }

  /** Skips the backoff wait (e.g. the OS reports the network is back). */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  private setState(status: StreamStatus, lastError: string | null) {
    if (this.state.status === status && this.state.lastError === lastError) return;
    this.state = { status, lastError };
    this.options.onState(this.state);
  }

  private connect() {
    if (this.stopped) return;
    const cursor = this.options.getCursor();
    this.setState('connecting', this.state.lastError);
    const socket = new WebSocket(streamUrl(this.options.hubUrl, cursor), {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    const connection = { socket, broken: false };
    let lastError: string | null = null;
    let alive = true;

    socket.on('open', () => {
      this.startHeartbeat(socket, () => {
        if (!alive) {
          lastError = 'the hub stopped answering';
          socket.terminate();
          return false;
        }
        alive = false;
        return true;
      });
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 401) {
        this.unauthorized('the hub refused the session token');
      } else {
        lastError = `the hub refused the stream (HTTP ${res.statusCode})`;
      }
      res.resume();
      socket.terminate();
    });
    socket.on('message', (data) => {
      alive = true;
      let frame: StreamFrame;
      try {
        frame = StreamFrame.parse(JSON.parse(data.toString()));
      } catch (error) {
        this.options.logger.warn('ignored a malformed stream frame', { error });
        return;
      }
      this.chain = this.chain.then(() => this.handle(connection, frame, cursor));
    });
    socket.on('error', (error) => {
      lastError = error.message || 'stream connection failed';
    });
    socket.on('close', (code, reason) => {
      this.stopHeartbeat();
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      if (code === UNAUTHORIZED_CLOSE) {
        this.unauthorized(reason.toString() || 'the hub refused the session token');
        return;
      }
      if (code === CURSOR_TOO_OLD_CLOSE) {
        this.options.logger.warn('the hub cannot resume the stream; resynchronising');
        this.options.onCursorTooOld?.();
        this.attempt = 0;
      }
      const why = lastError ?? (reason.toString() || `stream closed (code ${code})`);
      this.setState('offline', why);
      this.scheduleReconnect();
    });
  }

  private async handle(
    connection: { socket: WebSocket; broken: boolean },
    frame: StreamFrame,
    resumedFrom: number | null,
  ) {
    const { socket } = connection;
    // After a failed event nothing later on that connection may be applied, or it would be lost.
    if (this.stopped || connection.broken || this.socket !== socket) return;
    if (frame.kind === 'error') {
      if (frame.code === 'unauthorized') this.unauthorized(frame.message);
      else
        this.options.logger.warn('stream error frame', {
          code: frame.code,
          message: frame.message,
        });
      return;
    }
    if (frame.kind === 'ready') {
      this.attempt = 0;
      if (this.options.getCursor() === null) this.options.saveCursor(frame.lastEventId);
      this.setState('online', null);
      try {
        await this.options.onReady?.({ lastEventId: frame.lastEventId, resumedFrom });
      } catch (error) {
        this.options.logger.warn('resynchronisation after connect failed', { error });
      }
      return;
    }
    const event = frame.event;
    const cursor = this.options.getCursor();
    if (cursor !== null && event.id <= cursor) return; // already applied (replay overlap)
    try {
      await this.options.apply(event);
      this.failures.delete(event.id);
      this.options.saveCursor(event.id);
    } catch (error) {
      const failures = (this.failures.get(event.id) ?? 0) + 1;
      this.failures.set(event.id, failures);
      if (failures >= (this.options.maxApplyAttempts ?? 3)) {
        this.options.logger.error('skipping an event that cannot be applied', {
          eventId: event.id,
          type: event.type,
          error,
        });
        this.failures.delete(event.id);
        this.options.saveCursor(event.id);
        return;
      }
      // Not applied, so not persisted: reconnecting resumes from the cursor and replays it.
      this.options.logger.warn('could not apply an event; reconnecting to replay it', {
        eventId: event.id,
        type: event.type,
        error,
      });
      connection.broken = true;
      if (this.socket === socket) socket.close(4000, 'apply failed');
    }
  }

  private unauthorized(reason: string) {
    if (this.stopped) return;
    this.stopped = true;
    this.stopHeartbeat();
    this.socket?.terminate();
    this.socket = null;
    this.setState('offline', reason);
    this.options.onUnauthorized(reason);
  }

  private scheduleReconnect() {
    const delay = backoffDelay(
      this.attempt++,
      this.options.backoff ?? { baseMs: 500, maxMs: 30_000 },
    );
    this.options.logger.debug('stream reconnect scheduled', { delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startHeartbeat(socket: WebSocket, tick: () => boolean) {
    this.stopHeartbeat();
    const every = this.options.heartbeatMs ?? 20_000;
    this.heartbeat = setInterval(() => {
      if (tick() && socket.readyState === WebSocket.OPEN) socket.ping();
    }, every);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
