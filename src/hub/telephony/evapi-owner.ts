import { type DedicatedConnection, type Db } from '../db/db.js';
import { type Log } from '../log.js';

/** Differs from the hub's other advisory locks (migrations 727_001, events 727_002). */
export const EVAPI_OWNER_LOCK = 727_005;

export interface OwnerElectionOptions {
  db: Db;
  log: Log;
  hubId: string;
  /** Becoming the owner: resume calls and connect to evapi. Errors are logged, ownership kept. */
  onAcquire(): Promise<void>;
  /** No longer the owner (lock connection lost or stop()): disconnect from evapi at once. */
  onLose(reason: string): Promise<void>;
  /** Standby retry interval, jittered between min and max (ms). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** An owner whose lock connection does not answer a ping within this time steps down (ms). */
  pingTimeoutMs?: number;
}

/**
 * Kamailio's evapi broadcasts every event to every connected client, so exactly one hub may hold
 * the evapi connection. The owner is whoever holds a session-level advisory lock on a connection
 * of its own: when that hub dies or its connection drops, PostgreSQL releases the lock and a
 * standby (trying every 1–2 s) takes it. The owner pings its lock connection on the same beat and
 * steps down when the ping fails, so an owner cut off from the database stops handling calls
 * that another hub may already have taken over. PGlite is one process: that hub always owns.
 */
export class OwnerElection {
  private conn: DedicatedConnection | null = null;
  private owner = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** After losing the lock this hub stands back a while: healthy standbys go first. */
  private quietUntil = 0;

  constructor(private readonly opts: OwnerElectionOptions) {}

  get isOwner(): boolean {
    return this.owner;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const conn = this.conn;
    this.conn = null;
    if (this.owner) await this.lose('hub stopping');
    await conn?.close(); // releases the lock for a standby at once
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        const min = this.opts.retryMinMs ?? 1000;
        const max = this.opts.retryMaxMs ?? 2000;
        this.schedule(min + Math.random() * (max - min));
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { db } = this.opts;
    if (!db.dedicated) {
      if (!this.owner) await this.acquire('embedded database: single hub');
      return;
    }
    try {
      if (!this.conn) {
        const conn = await db.dedicated();
        this.conn = conn;
        void conn.ended.then((err) => this.connectionLost(conn, err));
      }
      const conn = this.conn;
      if (!this.owner && Date.now() < this.quietUntil) return;
      if (this.owner) {
        await withTimeout(conn.query('select 1'), this.opts.pingTimeoutMs ?? 3000);
        return;
      }
      const rows = await conn.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
        EVAPI_OWNER_LOCK,
      ]);
      if (rows[0]?.ok === true) await this.acquire('advisory lock taken');
    } catch (err) {
      // The connection is unusable (or hangs): drop it; the lock goes with it on the server side.
      const conn = this.conn;
      this.conn = null;
      void conn?.close();
      if (this.owner) {
        this.opts.log.error({ err }, 'telephony: evapi owner lost its lock connection');
        await this.lose('lock connection failed');
      }
    }
  }

  private async connectionLost(conn: DedicatedConnection, err: Error | undefined): Promise<void> {
    if (this.conn !== conn) return;
    this.conn = null;
    if (!this.owner || this.stopped) return;
    this.opts.log.error({ err }, 'telephony: evapi owner lock connection dropped');
    await this.running;
    await this.lose('lock connection dropped');
  }

  private async acquire(why: string): Promise<void> {
    this.owner = true;
    this.opts.log.info({ hubId: this.opts.hubId, why }, 'telephony: this hub is the evapi owner');
    try {
      await this.opts.onAcquire();
    } catch (err) {
      this.opts.log.error({ err }, 'telephony: taking over calls failed');
    }
  }

  private async lose(reason: string): Promise<void> {
    if (!this.owner) return;
    this.owner = false;
    this.quietUntil = Date.now() + 2 * (this.opts.retryMaxMs ?? 2000) + 1000;
    this.opts.log.warn(
      { hubId: this.opts.hubId, reason },
      'telephony: this hub is no longer the evapi owner',
    );
    await this.opts.onLose(reason);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
