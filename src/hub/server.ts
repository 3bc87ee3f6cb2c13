import { type FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { type LoggingOptions } from './api/logging.js';
import { DEFAULT_SCRYPT_COST } from './auth/password.js';
import { PrincipalCache } from './auth/principal-cache.js';
import { type HubConfig, type HubContext, makeTx, makeTxThenRoute } from './context.js';
import { openDb } from './db/open.js';
import { seedDemo } from './demo/seed.js';
import { startSimulator, type Simulator } from './demo/simulator.js';
import { EventFeed } from './events/feed.js';
import { HubPeers } from './events/peers.js';
import { ForwardingLog } from './log.js';
import { DEFAULT_PRESENCE, type PresenceConfig } from './agents/presence.js';
import { type Clock, systemClock } from './clock.js';
import { Router } from './routing/router.js';
import { CallCenter } from './telephony/call-center.js';
import { telephonyConfig, type TelephonyConfig } from './telephony/config.js';
import { timerHandler } from './timers/handlers.js';
import { Scheduler } from './timers/scheduler.js';

export interface HubOptions {
  /** Default 0 (a free port). The CLI defaults to 7700. */
  port?: number;
  host?: string;
  /** PostgreSQL URL; when set, `dataDir` is ignored. */
  databaseUrl?: string;
  /** PostgreSQL connections of this hub (default 4, see DEFAULT_POOL_SIZE). */
  poolSize?: number;
  /** PGlite data directory; omitted (and no URL) = in-memory database, gone on close. */
  dataDir?: string;
  demo?: boolean;
  /** Demo traffic simulator (only with `demo`); default on, interval ~8 s. */
  simulator?: boolean | { intervalMs: number };
  /** false (default) = silent. */
  logging?: LoggingOptions | false;
  /** scrypt cost N for new hashes; lower only in tests. */
  scryptCost?: number;
  sessionTtlSeconds?: number;
  reopenWindowDays?: number;
  pingIntervalMs?: number;
  /**
   * How long a resolved bearer token is trusted without a database lookup (default 5000 ms;
   * 0 = look up every request). A logout is seen at once on this hub, and on others when their
   * event feed delivers it.
   */
  authCacheMs?: number;
  /** Safety-net intervals for routing and the event feed. */
  routingSweepMs?: number;
  feedPollMs?: number;
  /** How often due timers are looked for (offer timeouts, wrap-up, presence); default 250 ms. */
  timerPollMs?: number;
  /** Time source; tests pass a FakeClock. */
  clock?: Clock;
  /** Consecutive missed offers before the "missed offer" pause; default 1. */
  missedOffersBeforePause?: number;
  presence?: Partial<PresenceConfig>;
  /** Softphone and queue calls through Kamailio (issue 5); omitted = no telephony. */
  telephony?: Partial<TelephonyConfig> & { key: string };
}

export interface RunningHub {
  url: string;
  close(): Promise<void>;
  /** Internals for tests and embedding: storage, feed, router. */
  ctx: HubContext;
  app: FastifyInstance;
  /** Queue calls (when telephony is configured). */
  calls: CallCenter | null;
}

/** Starts a hub in this process: storage + migrations, event feed, routing, HTTP/WebSocket API. */
export async function startHub(opts: HubOptions = {}): Promise<RunningHub> {
  const config: HubConfig = {
    scryptCost: opts.scryptCost ?? DEFAULT_SCRYPT_COST,
    sessionTtlSeconds: opts.sessionTtlSeconds ?? 12 * 3600,
    reopenWindowDays: opts.reopenWindowDays ?? 7,
    missedOffersBeforePause: opts.missedOffersBeforePause ?? 1,
    presence: { ...DEFAULT_PRESENCE, ...opts.presence },
  };
  const clock = opts.clock ?? systemClock;
  const log = new ForwardingLog();
  const db = await openDb({
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    onError: (err) => log.error({ err }, 'database error'),
  });
  const feed = new EventFeed(db, log);
  // Other hubs on this database: only then do commits NOTIFY (see HubPeers).
  const peers = new HubPeers(db, log);
  const tx = makeTx(db, feed);
  const router = new Router(db, log, clock, (events) => feed.publish(events));
  const scheduler = new Scheduler(db, clock, log, timerHandler(config), () => {
    feed.wake();
    // A fired timer may have freed an agent or put a task back: route again.
    void router.run({ probe: true });
  });
  const principals = new PrincipalCache(opts.authCacheMs ?? 5000);
  feed.subscribe((event) => principals.observe(event));
  const ctx: HubContext = {
    db,
    feed,
    router,
    principals,
    scheduler,
    clock,
    log,
    config,
    tx,
    txThenRoute: makeTxThenRoute(db, feed, router),
  };

  let app: FastifyInstance | undefined;
  let simulator: Simulator | undefined;
  const calls = opts.telephony ? new CallCenter(ctx, telephonyConfig(opts.telephony)) : null;
  try {
    await feed.start(opts.feedPollMs ?? 2000);
    await peers.start();
    app = await buildApp(ctx, {
      logging: opts.logging ?? false,
      pingIntervalMs: opts.pingIntervalMs ?? 30_000,
      telephony: calls,
    });
    if (opts.logging) log.target = app.log;
    if (opts.demo) await seedDemo(ctx);
    router.startSweep(opts.routingSweepMs ?? 5000);
    await scheduler.runDue();
    scheduler.start(opts.timerPollMs ?? 250);
    await router.run();
    calls?.start();
    const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
    if (opts.demo && opts.simulator !== false) {
      simulator = startSimulator(ctx, {
        intervalMs: typeof opts.simulator === 'object' ? opts.simulator.intervalMs : 8000,
      });
    }
    let closing: Promise<void> | undefined;
    return {
      url: address.replace('[::1]', 'localhost'),
      ctx,
      app,
      calls,
      close() {
        closing ??= (async () => {
          await simulator?.stop();
          await calls?.stop();
          await app!.close();
          await scheduler.stop();
          await router.stop();
          await peers.stop();
          await feed.stop();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await simulator?.stop();
    await calls?.stop();
    await app?.close().catch(() => {});
    await scheduler.stop();
    await router.stop();
    await peers.stop();
    await feed.stop();
    await db.close();
    throw err;
  }
}
