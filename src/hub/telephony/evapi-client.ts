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
}

/**
 * The hub's end of Kamailio's evapi socket: a TCP client with netstring frames that reconnects
 * with backoff (Kamailio restarts must not need a hub restart). Messages sent while disconnected
 * are dropped and reported, because a suspended transaction they would resume died with Kamailio.
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

  send(message: unknown): boolean {
    if (!this.connected) {
      this.opts.log.warn({ message }, 'evapi: not connected to Kamailio, message dropped');
      return false;
    }
    this.socket!.write(encodeNetstring(JSON.stringify(message)));
    return true;
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
      this.opts.onConnect?.();
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
