import { type PresenceConfig } from './agents/presence.js';
import { type PrincipalCache } from './auth/principal-cache.js';
import { type Clock } from './clock.js';
import { type Db, type Query, withRetry } from './db/db.js';
import { eventTransaction } from './events/append.js';
import { type EventFeed } from './events/feed.js';
import { type Log } from './log.js';
import { QUEUED_PUSH_TASK, queuedFrom } from './routing/look.js';
import { type Router } from './routing/router.js';
import { type Scheduler } from './timers/scheduler.js';

export interface HubConfig {
  /** scrypt cost N for new password hashes. */
  scryptCost: number;
  sessionTtlSeconds: number;
  /** A closed ticket is reopened by a new message within this many days; later, a new ticket. */
  reopenWindowDays: number;
  /** Consecutive missed offers that pause an agent with reason `missed_offer` (default 1). */
  missedOffersBeforePause: number;
  presence: PresenceConfig;
}

/** What every service needs: storage, the event feed, routing, logging, configuration. */
export interface HubContext {
  readonly db: Db;
  readonly feed: EventFeed;
  readonly router: Router;
  /** Bearer tokens resolved recently (see `PrincipalCache` for how stale they can be). */
  readonly principals: PrincipalCache;
  readonly scheduler: Scheduler;
  /** The hub's time source for routing decisions and timers (injectable for tests). */
  readonly clock: Clock;
  readonly log: Log;
  readonly config: HubConfig;
  /**
   * Runs a transaction (retried when it lost a race to a concurrent writer) and wakes this hub's
   * event feed after commit, so local stream clients see the new events at once.
   */
  tx<T>(fn: (q: Query) => Promise<T>): Promise<T>;
  /**
   * `tx` for work that may free capacity (a close, an agent available again): when
   * `freed(result)`, routes — after looking whether any push task is queued, a read that rides
   * with the COMMIT on PostgreSQL (one round trip less than the router's own look) — and
   * resolves after that pass.
   */
  txThenRoute<T>(fn: (q: Query) => Promise<T>, freed: (result: T) => boolean): Promise<T>;
}

export function makeTx(db: Db, feed: EventFeed): HubContext['tx'] {
  return async (fn) => {
    const { result, appended } = await withRetry(() => eventTransaction(db, fn));
    feed.publish(appended);
    return result;
  };
}

export function makeTxThenRoute(
  db: Db,
  feed: EventFeed,
  router: Router,
): HubContext['txThenRoute'] {
  return async (fn, freed) => {
    const { result, appended, read } = await withRetry(() =>
      eventTransaction(db, fn, { thenRead: (r) => (freed(r) ? QUEUED_PUSH_TASK : undefined) }),
    );
    feed.publish(appended);
    if (freed(result)) {
      const queued = queuedFrom(read);
      // Not looked (a failure after the commit): the router looks for itself.
      if (queued === undefined) await router.run({ probe: true });
      else if (queued) await router.runAfterLook();
    }
    return result;
  };
}
