import { type Db } from '../db/db.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { type Log } from '../log.js';
import { assignTask, lockBestAgent, lockQueuedTasks } from './assign.js';

const BATCH = 50;

/**
 * Push routing, first cut: matches queued tasks to agents until nothing more can be matched.
 * Runs are coalesced — callers that ask while a pass is running get the pass after it — so a
 * burst of triggers costs at most two passes. All decisions are made inside transactions with
 * row locks, so concurrent routers (other hubs on the same PostgreSQL) stay correct.
 */
export class Router {
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Log,
    private readonly afterCommit: () => void,
  ) {}

  /** Resolves after a routing pass that started after this call has finished. Never rejects. */
  run(): Promise<void> {
    if (!this.current) {
      this.current = this.pass().finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    this.next ??= this.current.then(() => {
      this.next = undefined;
      return this.run();
    });
    return this.next;
  }

  /** A slow sweep in case a trigger was missed (e.g. an agent freed on another hub). */
  startSweep(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.next;
    await this.current;
  }

  private async pass(): Promise<void> {
    try {
      for (;;) {
        const assigned = await this.db.transaction(async (q) => {
          const tasks = await lockQueuedTasks(q, BATCH);
          const events: NewEvent[] = [];
          let count = 0;
          for (const task of tasks) {
            const agentId = await lockBestAgent(q, task);
            if (!agentId) continue;
            events.push(...(await assignTask(q, task, agentId)));
            count++;
          }
          await appendEvents(q, events);
          return count;
        });
        if (assigned > 0) this.afterCommit();
        if (assigned === 0) return;
      }
    } catch (err) {
      this.log.error({ err }, 'routing pass failed');
    }
  }
}
