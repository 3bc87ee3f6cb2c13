import { ReplyConflictDetails, type ReplyResponse } from '../../shared/api/replies.js';
import { type OutboxConflict } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type Logger } from '../logger.js';
import { type HubClient, type HubErrorDetails } from '../sync/hub-client.js';
import { fullJitterDelay, sleep } from '../util/backoff.js';
import { type DeliverableRow, type OutboxScope } from './outbox-repository.js';
import { type UserData } from './user-data.js';

/** Time for the loop; tests pass a fake one to live through a long outage in no time. */
export interface DeliveryClock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

export const systemDeliveryClock: DeliveryClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
  random: () => Math.random(),
};

export interface DeliveryBackoff {
  baseMs: number;
  maxMs: number;
}

export const defaultDeliveryBackoff: DeliveryBackoff = { baseMs: 1_000, maxMs: 60_000 };

export interface OutboxDeliveryDeps {
  userData(): UserData;
  logger: Logger;
  backoff?: DeliveryBackoff;
  /** Tickets sent to in parallel (each ticket's rows always go one after the other). */
  concurrency?: number;
  clock?: DeliveryClock;
  /** Something in the outbox changed state (for `outbox.changed`). */
  onChange(): void;
  /** The hub acknowledged a row (201 or a 200 replay). */
  onDelivered(row: DeliverableRow, response: ReplyResponse): void;
  /** The hub refused a row because the ticket changed; refresh what the agent will review. */
  onConflict?(row: DeliverableRow, conflict: OutboxConflict): Promise<void> | void;
  /** The hub refused the token: the session is over. */
  onUnauthorized(error: BridgeError): void;
  /** Fault injection for crash tests: runs after the attempt is recorded, before the request. */
  beforeSend?(row: DeliverableRow): Promise<void> | void;
}

type Outcome = 'delivered' | 'retry' | 'settled' | 'unauthorized' | 'skipped';

interface Run {
  scope: OutboxScope;
  client: HubClient;
  stopped: boolean;
  failures: number;
  pausedUntil: number;
  wake: AbortController;
  done: Promise<void>;
}

/**
 * Delivers the outbox of the signed-in agent: the oldest undelivered row of each ticket, a few
 * tickets at a time, with the row's UUID as `Idempotency-Key` and `If-Match` on the version the
 * reply was written against. The attempt is recorded before the request (state `sending`); a row
 * is `delivered` only on the hub's acknowledgement. An unreachable hub pauses the whole loop with
 * exponential backoff and full jitter until it answers again or `kick()` (back online) wakes it.
 */
export class OutboxDelivery {
  private run: Run | null = null;
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly deps: OutboxDeliveryDeps) {}

  private get clock(): DeliveryClock {
    return this.deps.clock ?? systemDeliveryClock;
  }

  get running(): boolean {
    return this.run !== null;
  }

  start(scope: OutboxScope, client: HubClient): void {
    if (this.run && this.run.scope.agentId === scope.agentId && this.run.client === client) return;
    void this.stop();
    const run: Run = {
      scope,
      client,
      stopped: false,
      failures: 0,
      pausedUntil: 0,
      wake: new AbortController(),
      done: Promise.resolve(),
    };
    this.run = run;
    run.done = this.loop(run).catch((error: unknown) => {
      this.deps.logger.error('outbox delivery loop failed', { error });
    });
  }

  /** Stops after the requests on their way are answered (their rows are recorded). */
  async stop(): Promise<void> {
    const run = this.run;
    this.run = null;
    if (!run) return;
    run.stopped = true;
    run.wake.abort();
    await run.done;
  }

  /** The hub is reachable again (or there is a new row): try now, forgetting the backoff. */
  kick(): void {
    const run = this.run;
    if (!run) return;
    run.pausedUntil = 0;
    run.failures = 0;
    run.wake.abort();
  }

  /** Resolves when nothing is left to send right now (tests, `tickets.reply`). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  private async wait(run: Run, ms: number): Promise<void> {
    if (run.stopped) return;
    if (run.wake.signal.aborted) {
      run.wake = new AbortController();
      return;
    }
    await this.clock.sleep(ms, run.wake.signal);
    if (run.wake.signal.aborted) run.wake = new AbortController();
  }

  private async loop(run: Run): Promise<void> {
    const store = this.deps.userData();
    const concurrency = this.deps.concurrency ?? 4;
    while (!run.stopped) {
      const now = this.clock.now();
      if (run.pausedUntil > now) {
        await this.wait(run, run.pausedUntil - now);
        continue;
      }
      const batch = store.outbox.nextDeliverable(run.scope, concurrency);
      if (batch.length === 0) {
        for (const resolve of this.idleWaiters) resolve();
        this.idleWaiters.clear();
        await this.wait(run, 3_600_000);
        continue;
      }
      const outcomes = await Promise.all(batch.map((row) => this.deliver(run, row)));
      if (outcomes.includes('unauthorized')) {
        run.stopped = true;
        break;
      }
      if (outcomes.includes('retry')) {
        const delay = fullJitterDelay(run.failures++, {
          ...(this.deps.backoff ?? defaultDeliveryBackoff),
          random: () => this.clock.random(),
        });
        run.pausedUntil = this.clock.now() + delay;
      } else if (outcomes.includes('delivered')) {
        run.failures = 0;
      }
    }
  }

  private async deliver(run: Run, row: DeliverableRow): Promise<Outcome> {
    const store = this.deps.userData();
    if (!store.outbox.markSending(row.id)) return 'skipped';
    this.deps.onChange();
    let response: ReplyResponse;
    try {
      await this.deps.beforeSend?.(row);
      response = await run.client.reply(
        row.ticketId,
        row.id,
        { text: row.text },
        { ifMatch: row.ifMatchVersion ?? undefined },
      );
    } catch (error) {
      return this.refused(run, row, error);
    }
    if (store.outbox.markDelivered(row.id, response.message.id)) {
      try {
        this.deps.onDelivered(row, response);
      } catch (error) {
        this.deps.logger.warn('could not record a delivered reply in the cache', { error });
      }
    }
    this.deps.onChange();
    return 'delivered';
  }

  private async refused(run: Run, row: DeliverableRow, error: unknown): Promise<Outcome> {
    const store = this.deps.userData();
    const message = error instanceof Error ? error.message : String(error);
    const backoff = this.deps.backoff ?? defaultDeliveryBackoff;
    const retry = (): Outcome => {
      const next = this.clock.now() + Math.min(backoff.maxMs, backoff.baseMs * 2 ** run.failures);
      store.outbox.retryLater(row.id, new Date(next).toISOString(), message);
      this.deps.onChange();
      return 'retry';
    };
    if (!(error instanceof BridgeError)) return retry();
    const hub = error.details as HubErrorDetails | undefined;
    switch (error.code) {
      case 'hub_unreachable':
        return retry();
      case 'unauthorized':
        store.outbox.retryLater(row.id, new Date(this.clock.now()).toISOString(), message);
        this.deps.onChange();
        this.deps.onUnauthorized(error);
        return 'unauthorized';
      case 'hub_error': {
        const conflict = ReplyConflictDetails.safeParse(hub?.details);
        // 412: the ticket changed since the reply's version. 409 (closed, no If-Match): the agent
        // is asked once; after "send anyway" the hub's refusal is final (failed, text kept).
        if (conflict.success && (hub?.status === 412 || (hub?.status === 409 && !row.sentAnyway))) {
          const value: OutboxConflict = {
            reason: conflict.data.reason,
            newMessages: conflict.data.newMessages ?? [],
          };
          store.outbox.markNeedsReview(row.id, value, message);
          this.deps.onChange();
          try {
            await this.deps.onConflict?.(row, value);
          } catch (refreshError) {
            this.deps.logger.warn('could not refresh a conflicted ticket', { refreshError });
          }
          return 'settled';
        }
        // The hub failed or is overloaded: that is not the reply's fault, try again later.
        if (hub && (hub.status >= 500 || hub.status === 429)) return retry();
        break;
      }
      default:
        break;
    }
    store.outbox.markFailed(row.id, message);
    this.deps.onChange();
    return 'settled';
  }
}
