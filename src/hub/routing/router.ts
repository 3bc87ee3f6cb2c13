import { type Clock } from '../clock.js';
import { type Db, type Query, withRetry } from '../db/db.js';
import { type HubEvent } from '../../shared/api/index.js';
import { appendEvents, eventTransaction, type NewEvent } from '../events/append.js';
import { type Log } from '../log.js';
import {
  agentViews,
  dayStart,
  firstAgentLimit,
  lockReadyAgents,
  lockTasksAndAgents,
  type LockedAgentView,
  taskView,
} from './claim.js';
import { QUEUED_PUSH_TASK, queuedFrom } from './look.js';
import { match } from './matcher.js';
import { offerTask, offerTasks, type OfferRequest, type OfferResult } from './offers.js';
import { DEFAULT_OFFER_TIMEOUT_S } from './queues.js';

const BATCH = 50;
/** No limit in practice: every ready agent of the batch's queues. */
const ALL_AGENTS = 100_000;

/**
 * One routing step inside a transaction: lock up to BATCH queued tasks and the ready members of
 * their queues (SKIP LOCKED, one statement), read the agents' load after locking, let the pure
 * matcher decide, and apply its proposals as offers or auto-accepted assignments.
 * @returns how many tasks were offered or assigned, and the events to append
 */
export async function routeBatch(
  q: Query,
  now: Date,
  opts: { limit?: number; onlyAgent?: string } = {},
): Promise<{
  count: number;
  /** The batch was full: there may be more matchable tasks behind it. */
  more: boolean;
  events: NewEvent[];
  results: OfferResult[];
}> {
  const only = opts.onlyAgent ? { agentId: opts.onlyAgent } : undefined;
  const limit = opts.limit ?? BATCH;
  // The tasks and, in the same statement, the longest idle few of their queues (firstAgentLimit);
  // when a task found nobody among them, everyone ready is looked at (own locks are not skipped).
  const day = dayStart(now);
  const { tasks, agentIds, agents } = await lockTasksAndAgents(q, limit, day, only);
  if (tasks.length === 0) return { count: 0, more: false, events: [], results: [] };
  const decide = (views: LockedAgentView[]) => ({
    proposals: match(tasks.map(taskView), views, now.getTime()),
    rows: new Map(views.map((a) => [a.id, a.row])),
  });
  let { proposals, rows } = decide(agents);
  if (agentIds.length >= firstAgentLimit(tasks.length) && proposals.length < tasks.length) {
    const queueIds = [...new Set(tasks.map((t) => t.queue_id))];
    const channels = [...new Set(tasks.map((t) => t.channel))];
    const all = await lockReadyAgents(q, queueIds, channels, opts.onlyAgent, ALL_AGENTS);
    ({ proposals, rows } = decide(await agentViews(q, all, day)));
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const decided = opts.onlyAgent ? proposals.slice(0, 1) : proposals;
  const events: NewEvent[] = [];
  const results: OfferResult[] = [];
  // Offers are made together (a few statements for the whole batch); an auto-accepted task or
  // serve-next assigns at once, one by one.
  const offers: OfferRequest[] = [];
  for (const p of decided) {
    const task = byId.get(p.taskId)!;
    if (p.autoAccept || opts.onlyAgent !== undefined) continue;
    offers.push({
      taskId: p.taskId,
      agentId: p.agentId,
      timeoutS: task.offer_timeout_s ?? DEFAULT_OFFER_TIMEOUT_S[task.channel],
    });
  }
  const offered = await offerTasks(q, offers, {
    now,
    via: 'push',
    known: {
      tasks: new Map(tasks.map((t) => [t.id, { task: t.task_row, ticket: t.ticket_row }])),
      agents: rows,
    },
  });
  events.push(...offered.events);
  results.push(...offered.results);
  for (const p of decided) {
    if (!(p.autoAccept || opts.onlyAgent !== undefined)) continue;
    const task = byId.get(p.taskId)!;
    const r = await offerTask(q, p.taskId, p.agentId, {
      now,
      autoAccept: true,
      timeoutS: task.offer_timeout_s,
      via: opts.onlyAgent ? 'serve_next' : 'push',
    });
    events.push(...r.events);
    results.push(r);
  }
  return { count: results.length, more: tasks.length === limit, events, results };
}

/**
 * Push routing: matches queued tasks to agents until nothing more can be matched. Runs are
 * coalesced — callers that ask while a pass is running get the pass after it — so a burst of
 * triggers costs at most two passes. All decisions are made inside transactions with row locks,
 * so concurrent routers (other hubs on the same PostgreSQL) stay correct.
 */
export class Router {
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** Whether every caller waiting for `next` asked only for a probe. */
  private nextProbe = true;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Log,
    private readonly clock: Clock,
    /** Gets the events a committed routing transaction appended (for the hub's feed). */
    private readonly afterCommit: (events: HubEvent[]) => void,
  ) {}

  /**
   * Resolves after a routing pass that started after this call has finished. Never rejects.
   * `probe`: the caller only freed capacity or may have (a close, an agent available again, a
   * fired timer, the sweep), so usually nothing waits — first look, outside a transaction,
   * whether any push task is queued at all, and open the routing transaction only if so (one
   * round trip instead of two for the common empty pass). A task queued after the look is routed
   * by the pass its own arrival triggers. New work (an inbound message) skips the look.
   */
  run(opts: { probe?: boolean } = {}): Promise<void> {
    const probe = opts.probe === true;
    if (!this.current) {
      this.current = this.pass(probe).finally(() => {
        this.current = undefined;
      });
      return this.current;
    }
    this.nextProbe = this.next ? this.nextProbe && probe : probe;
    this.next ??= this.current.then(() => {
      this.next = undefined;
      return this.run({ probe: this.nextProbe });
    });
    return this.next;
  }

  /**
   * A pass for a caller that looked for itself and saw a queued push task (`txThenRoute`): at once
   * when no pass is running; behind a running one with a look of its own, as that pass may take
   * the task the caller saw.
   */
  runAfterLook(): Promise<void> {
    return this.run({ probe: this.current !== undefined });
  }

  /**
   * Lets a caller route inside its own transaction (an inbound message's task, in the transaction
   * that queues it) when no pass is running on this hub: until `release`, the router counts as
   * busy, so passes asked for meanwhile run after it, as they would after a pass. Undefined while
   * a pass is running: the caller asks for one after its commit instead.
   */
  claim(): (() => void) | undefined {
    if (this.current) return undefined;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.current = held.finally(() => {
      this.current = undefined;
    });
    return release;
  }

  /** A slow sweep in case a trigger was missed (e.g. an agent freed on another hub). */
  startSweep(intervalMs: number): void {
    this.timer = setInterval(() => void this.run({ probe: true }), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.next;
    await this.current;
  }

  private async pass(probe: boolean): Promise<void> {
    try {
      if (probe) {
        const rows = await this.db.query(QUEUED_PUSH_TASK.text, QUEUED_PUSH_TASK.values);
        if (!queuedFrom(rows)) return;
      }
      for (;;) {
        const {
          result: { count, more },
          appended,
        } = await withRetry(() =>
          eventTransaction(this.db, async (q) => {
            const r = await routeBatch(q, this.clock.now());
            await appendEvents(q, r.events);
            return r;
          }),
        );
        if (count > 0) this.afterCommit(appended);
        // A batch smaller than the limit was everything matchable now: no second look needed.
        if (count === 0 || !more) return;
      }
    } catch (err) {
      this.log.error({ err }, 'routing pass failed');
    }
  }
}
