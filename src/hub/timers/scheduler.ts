import { type Clock } from '../clock.js';
import { type Db, type Query, withRetry } from '../db/db.js';
import { appendEvents, eventTransaction, type NewEvent } from '../events/append.js';
import { type Log } from '../log.js';
import { type TimerRow } from './store.js';

export type TimerHandler = (q: Query, timer: TimerRow, now: Date) => Promise<NewEvent[]>;

/**
 * Fires due timer rows. Each timer is claimed with FOR UPDATE SKIP LOCKED, deleted and handled in
 * one transaction, so exactly one hub fires it, and a hub that dies mid-way leaves it for the next
 * run (the transaction rolls back). Timers live in the database: they survive restarts, and a
 * timer that fell due while no hub ran fires at the next start.
 */
export class Scheduler {
  private current: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly handle: TimerHandler,
    private readonly afterFire: () => void,
  ) {}

  start(pollMs: number): void {
    this.timer = setInterval(() => void this.runDue(), pollMs);
    this.timer.unref();
  }

  /** Fires every timer due by the hub clock's now; resolves with how many fired. Never rejects. */
  runDue(): Promise<number> {
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      let fired = 0;
      do {
        this.again = false;
        fired += await this.drain();
      } while (this.again && !this.stopped);
      return fired;
    })().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async drain(): Promise<number> {
    let fired = 0;
    while (!this.stopped) {
      const now = this.clock.now();
      let claimed: TimerRow | undefined;
      try {
        // The poll usually finds nothing: one plain read instead of a transaction's three.
        const due = await this.db.query('select 1 from timers where due_at <= $1 limit 1', [now]);
        if (due.length === 0) return fired;
        ({ result: claimed } = await withRetry(() =>
          eventTransaction(this.db, async (q) => {
            const rows = await q<TimerRow>(
              `select * from timers where due_at <= $1 order by due_at, id limit 1
               for update skip locked`,
              [now],
            );
            const timer = rows[0];
            if (!timer) return undefined;
            await q('delete from timers where id = $1', [timer.id]);
            const events = await this.handle(q, timer, now);
            await appendEvents(q, events);
            return timer;
          }),
        ));
      } catch (err) {
        this.log.error({ err }, 'timer failed; retrying it in 5 s');
        await this.postpone(now).catch(() => {});
        return fired;
      }
      if (!claimed) return fired;
      fired++;
      this.afterFire();
    }
    return fired;
  }

  /** A timer whose handler throws must not block the others: move the first due one back. */
  private async postpone(now: Date): Promise<void> {
    await this.db.query(
      `update timers set due_at = $1::timestamptz + interval '5 seconds'
       where id = (select id from timers where due_at <= $1 order by due_at, id limit 1)`,
      [now],
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.current;
  }
}
