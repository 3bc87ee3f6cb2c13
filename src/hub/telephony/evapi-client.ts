import { Socket } from 'node:net';
import { z } from 'zod';
import { type Log } from '../log.js';
import { encodeNetstring, NetstringDecoder } from './netstring.js';

/**
 * Sent by Kamailio right after a client connects (`event_route[evapi:connection-new]`), to every
 * client: `instance` is its start time and the evapi process id, new on every Kamailio start.
 */
const Hello = z.object({ event: z.literal('hello'), instance: z.string().min(1) });

export interface ConnectInfo {
  first: boolean;
  restarted: boolean;
  instance: string | null;
  /**
   * When this client lost its previous connection (ms since the epoch; null on the first one):
   * Kamailio's messages from then until now never reached this hub.
   */
  lostAt: number | null;
}

export interface EvapiClientOptions {
  host: string;
  port: number;
  log: Log;
  /** `bytes`: the frame's length (bounds what a standby buffers). */
  onMessage(message: unknown, bytes: number): void;
  /**
   * Called after every (re)connection, once Kamailio's hello has told whether it restarted
   * (`restarted`: a new instance id; or no hello within `helloMs` on a reconnection, where a
   * restart cannot be ruled out). Held commands are flushed right after.
   */
  onConnect?(info: ConnectInfo): void;
  /** How long to wait for Kamailio's hello after connecting (ms, default 1 s). */
  helloMs?: number;
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
  /** Kamailio's instance id from its last hello: changes when Kamailio restarts. */
  private instance: string | null = null;
  private connections = 0;
  /** Connected and the hello handled: commands may go out directly. */
  private ready = false;
  /** When the connection was lost (the earliest loss since the last ready connection). */
  private lostAt: number | null = null;
  /** A test's blip keeps the socket closed until then. */
  private reconnectNotBefore = 0;

  constructor(private readonly opts: EvapiClientOptions) {
    this.delay = opts.reconnectMinMs ?? 100;
    this.connectedOnce = new Promise((resolve) => (this.markConnected = resolve));
  }

  /** Kamailio's instance id from its last hello (null before one, or from an older config). */
  get kamailioInstance(): string | null {
    return this.instance;
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
    if (this.connected && this.ready) {
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

  /** Forgets the held commands (this hub is no longer the one to send them). */
  dropHeld(): void {
    this.held = [];
  }

  /**
   * Closes the socket as a network blip would; it reconnects with backoff (tests, operators), at
   * the earliest after `reconnectAfterMs` (tests: a blip long enough for a caller to hang up in).
   */
  blip(reconnectAfterMs = 0): void {
    this.reconnectNotBefore = Date.now() + reconnectAfterMs;
    this.socket?.destroy();
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
    let helloTimer: NodeJS.Timeout | undefined;
    // Counted on connect, not on the hello: a connection that drops before its hello still was one.
    let first = false;
    // Runs once per connection: on the hello, or when none came in time.
    const settle = (hello: string | null) => {
      clearTimeout(helloTimer);
      if (this.ready || this.socket !== socket || socket.destroyed) return;
      const restarted = hello === null ? !first : this.instance !== null && hello !== this.instance;
      if (hello !== null) this.instance = hello;
      this.ready = true;
      const lostAt = first ? null : this.lostAt;
      this.lostAt = null;
      this.opts.log.info(
        { instance: this.instance, first, restarted, hello: hello !== null },
        'evapi: Kamailio ready',
      );
      try {
        this.opts.onConnect?.({ first, restarted, instance: this.instance, lostAt });
      } finally {
        this.flush();
      }
    };
    socket.on('connect', () => {
      this.delay = this.opts.reconnectMinMs ?? 100;
      this.opts.log.info(
        { host: this.opts.host, port: this.opts.port },
        'evapi: connected to Kamailio',
      );
      this.markConnected();
      first = this.connections++ === 0;
      helloTimer = setTimeout(() => settle(null), this.opts.helloMs ?? 1000);
      helloTimer.unref();
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
        const hello = Hello.safeParse(parsed);
        if (hello.success) {
          // Broadcast to every client whenever one connects: only our own first one counts.
          settle(hello.data.instance);
          continue;
        }
        try {
          this.opts.onMessage(parsed, frame.length);
        } catch (err) {
          this.opts.log.error({ err }, 'evapi: message handler failed');
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(helloTimer);
      if (this.socket === socket) {
        this.socket = null;
        this.ready = false;
      }
      if (this.stopped) return;
      this.lostAt ??= Date.now();
      const wait = Math.max(this.delay, this.reconnectNotBefore - Date.now());
      this.retry = setTimeout(() => this.connect(), wait);
      this.retry.unref();
      this.delay = Math.min(this.delay * 2, this.opts.reconnectMaxMs ?? 2000);
    });
    socket.connect(this.opts.port, this.opts.host);
  }
}
