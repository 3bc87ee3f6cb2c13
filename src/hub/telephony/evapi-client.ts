import { Socket } from 'node:net';
import { type Log } from '../log.js';
import { encodeNetstring, NetstringDecoder } from './netstring.js';

export interface EvapiClientOptions {
  host: string;
  port: number;
  log: Log;
  onMessage(message: unknown): void;
  /** Called after every (re)connection. */
  onConnect?(): void;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long a command waits for the connection before it is dropped (ms, default 10 s). */
  holdMs?: number;
  /** At most this many commands wait (the oldest is dropped first). */
  holdMax?: number;
}

/**
 * A command waiting for the connection. `current()` is asked again at flush time: it returns the
 * command as it should be sent now (a ring time shortened by the wait) or null when it no longer
 * applies (the call ended, another offer replaced it).
 */
interface Held {
  at: number;
  current: () => unknown;
}

/**
 * The hub's end of Kamailio's evapi socket: a TCP client with netstring frames that reconnects
 * with backoff (Kamailio restarts must not need a hub restart). Commands sent while disconnected
 * wait, in order, for a bounded time (a suspended transaction outlives a network blip or a hub
 * takeover, but not a Kamailio restart) and are re-checked when the connection is back.
 */
export class EvapiClient {
  private socket: Socket | null = null;
  private stopped = false;
  private delay: number;
  private retry: NodeJS.Timeout | undefined;
  private connectedOnce: Promise<void>;
  private markConnected!: () => void;

  constructor(private readonly opts: EvapiClientOptions) {
    this.delay = opts.reconnectMinMs ?? 100;
    this.connectedOnce = new Promise((resolve) => (this.markConnected = resolve));
  }

  get connected(): boolean {
    return this.socket !== null && !this.socket.connecting && !this.socket.destroyed;
  }

  start(): void {
    this.connect();
  }

  /** Resolves at the first successful connection (or after `timeoutMs`, false). */
  async waitConnected(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const ok = await Promise.race([this.connectedOnce.then(() => true), timeout]);
    clearTimeout(timer);
    return ok;
  }

  private held: Held[] = [];

  /** Commands waiting for the connection (status, tests). */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Sends now, or holds the command until the connection is back (see Held). `current` defaults
   * to the message itself. Returns true when written now.
   */
  send(message: unknown, current: () => unknown = () => message): boolean {
    if (this.connected) {
      this.socket!.write(encodeNetstring(JSON.stringify(message)));
      return true;
    }
    this.held.push({ at: Date.now(), current });
    if (this.held.length > (this.opts.holdMax ?? 1000)) {
      const dropped = this.held.shift()!;
      this.opts.log.warn({ message: dropped.current() }, 'evapi: too many held commands, dropped');
    }
    this.opts.log.warn({ message }, 'evapi: not connected to Kamailio, command held');
    return false;
  }

  /** Writes the held commands still wanted, oldest first (after onConnect has seen the state). */
  private flush(): void {
    const held = this.held;
    this.held = [];
    const maxAge = this.opts.holdMs ?? 10_000;
    let sent = 0;
    for (const h of held) {
      const message = h.current();
      if (message === null || message === undefined) continue;
      if (Date.now() - h.at > maxAge) {
        this.opts.log.warn({ message }, 'evapi: held command too old, dropped');
        continue;
      }
      this.socket!.write(encodeNetstring(JSON.stringify(message)));
      sent++;
    }
    if (held.length > 0)
      this.opts.log.info({ held: held.length, sent }, 'evapi: held commands flushed');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const socket = this.socket;
    this.socket = null;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new Socket();
    const decoder = new NetstringDecoder();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('connect', () => {
      this.delay = this.opts.reconnectMinMs ?? 100;
      this.opts.log.info(
        { host: this.opts.host, port: this.opts.port },
        'evapi: connected to Kamailio',
      );
      this.markConnected();
      try {
        this.opts.onConnect?.();
      } finally {
        this.flush();
      }
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: string[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.opts.log.error({ err }, 'evapi: malformed stream, reconnecting');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(frame);
        } catch {
          this.opts.log.warn({ frame: frame.slice(0, 200) }, 'evapi: message is not JSON');
          continue;
        }
        try {
          this.opts.onMessage(parsed);
        } catch (err) {
          this.opts.log.error({ err }, 'evapi: message handler failed');
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      if (this.stopped) return;
      this.retry = setTimeout(() => this.connect(), this.delay);
      this.retry.unref();
      this.delay = Math.min(this.delay * 2, this.opts.reconnectMaxMs ?? 2000);
    });
    socket.connect(this.opts.port, this.opts.host);
  }
}
