import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { type HubEvent, type StreamFrame } from '../src/shared/api/index.js';
import { ensureAgent } from '../src/hub/agents/create.js';
import { createIntegrationToken } from '../src/hub/auth/sessions.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/hub/db/open.js';
import { buildHub } from '../scripts/build-hub.js';
import { createQueue } from '../src/hub/routing/queues.js';
import { postgresUnavailable, startPostgres } from '../tests/support/postgres.js';
import { closeHttpClient, httpRequest } from '../tests/support/http-client.js';
import { startProcess, type Started } from '../tests/support/processes.js';
import { treeCpuMs } from './cpu.js';
import { summarize, type Summary } from './stats.js';

export interface RoutingOptions {
  agents: number;
  /** Offered load for the latency run (tasks per second). */
  rate: number;
  /** Seconds of load at `rate`. */
  seconds: number;
  /** Seconds at `rate` before the latency run, reported apart (`warmUpLatencyMs`); 0: none. */
  warmSeconds: number;
  /** Tasks in the flood run that measures sustained throughput. */
  flood: number;
  /** Which setups to run (default all): `pglite`, `pg1` (PostgreSQL, 1 hub), `pg2` (2 hubs). */
  setups?: RoutingSetup[];
  /** How the hubs reach PostgreSQL (default tcp on 127.0.0.1; unix: the server's socket). */
  pgSocket?: 'tcp' | 'unix';
  /** Set by the PostgreSQL setups: where `BENCH_PG_STATEMENTS` and `BENCH_LATENCY_DUMP` read. */
  statementsUrl?: string;
}

export const ROUTING_SETUPS = ['pglite', 'pg1', 'pg2'] as const;
export type RoutingSetup = (typeof ROUTING_SETUPS)[number];

export interface RoutingResult {
  setup: string;
  agents: number;
  /** Task created (inbound POST sent) → `offer.created` frame on the agent's stream, in ms. */
  offerLatencyMs: Summary & { atRate: number; achievedRate: number; offeredOf: string };
  /** The same over the first `warmSeconds` at the rate, right after the hub's start. */
  warmUpLatencyMs?: Summary;
  /** Tasks offered per second while as many tasks as possible are posted (32 in flight). */
  sustainedTasksPerSecond: number;
  missedOffers: number;
  failedPosts: number;
  /**
   * CPU time per offered task during the flood, in ms (user + system from /proc, including the
   * closes that follow the last offer): the hub process(es), the database server's processes
   * (PostgreSQL; PGlite runs inside the hub), and this process — the 200 consoles and the load
   * generator. Less sensitive to other load on the machine than latency or throughput.
   */
  cpuMsPerTask: { hubs: number; database: number | null; consoles: number };
  /**
   * The same during the latency run at the fixed offered rate (through its last offer and the
   * closes after it): below saturation this is the cost of one task on its own, not shared by
   * the batching a backlog brings, so it compares versions fairly.
   */
  cpuMsPerTaskAtRate: { hubs: number; database: number | null; consoles: number };
}

const SCRYPT = 1024;
const KEY = 'bench-integration-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function request(
  url: string,
  path: string,
  init: { method: string; token: string; body?: unknown },
): Promise<unknown> {
  const res = await httpRequest(new URL(path, url), {
    method: init.method,
    headers: {
      authorization: `Bearer ${init.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (res.status >= 400) throw new Error(`${path}: ${res.status} ${res.text}`);
  return res.text ? JSON.parse(res.text) : undefined;
}

const post = (url: string, path: string, token: string, body?: unknown): Promise<unknown> =>
  request(url, path, { method: 'POST', token, ...(body === undefined ? {} : { body }) });

/** Seeds the bench queue, agents and integration token straight into the database. */
async function seed(
  where: { databaseUrl: string } | { dataDir: string },
  agents: number,
): Promise<void> {
  const db = await openDb(where);
  try {
    await db.transaction(async (q) => {
      await createQueue(q, { name: 'bench', channels: ['chat'], offerTimeouts: { chat: 60 } });
      await createIntegrationToken(q, 'bench', KEY);
      for (let i = 0; i < agents; i++) {
        await ensureAgent(
          q,
          {
            login: `b${i}`,
            name: `Bench ${i}`,
            password: 'bench-password',
            roles: ['agent'],
            queues: ['bench'],
            capacity: { chat: 3 },
          },
          SCRYPT,
        );
      }
    });
  } finally {
    await db.close();
  }
}

/** The hub as deployed (`npm run build:hub`), built once per bench process. */
let hubBundle: Promise<string> | undefined;
/** A hub as its own process (the CLI), so the load generator does not share its event loop. */
const spawnHub = async (args: string[]): Promise<Started> =>
  startProcess(
    'hub',
    await (hubBundle ??= buildHub()),
    ['--port', '0', '--log-level', 'warn', ...args],
    /listening on (http\S+)/,
  );

/**
 * One setup: hubs on one database, `agents` simulated consoles spread over them. Each console
 * keeps a stream open, accepts every offer at once and closes the ticket 300 ms later.
 */
async function runSetup(
  setup: string,
  hubs: Started[],
  opts: RoutingOptions,
  databasePid?: number,
): Promise<RoutingResult> {
  const hubUrls = hubs.map((h) => h.url);
  const cpu = () => ({
    hubs: hubs.reduce((sum, h) => sum + (h.child.pid ? treeCpuMs(h.child.pid) : 0), 0),
    database: databasePid === undefined ? null : treeCpuMs(databasePid),
    consoles: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  });
  const offeredAt = new Map<string, number>();
  const sockets: WebSocket[] = [];
  let missed = 0;
  for (let i = 0; i < opts.agents; i++) {
    const hubUrl = hubUrls[i % hubUrls.length]!;
    const login = (await post(hubUrl, '/api/v1/auth/login', '', {
      login: `b${i}`,
      password: 'bench-password',
    })) as { token: string; agent: { id: string } };
    const ws = new WebSocket(new URL('/api/v1/stream', hubUrl.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${login.token}` },
    });
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as StreamFrame;
        if (frame.kind === 'ready') resolve();
        if (frame.kind !== 'event') return;
        const e: HubEvent = frame.event;
        if (e.agentId !== login.agent.id) return;
        if (e.type === 'offer.created') {
          offeredAt.set(e.taskId!, performance.now());
          const offer = e.data.offer as { id: string };
          void post(hubUrl, `/api/v1/offers/${offer.id}/accept`, login.token).catch(() => missed++);
        } else if (e.type === 'task.assigned') {
          setTimeout(
            () =>
              void post(hubUrl, `/api/v1/tickets/${e.ticketId}/close`, login.token).catch(() => {}),
            300,
          );
        } else if (e.type === 'offer.timed_out') missed++;
      });
      ws.once('error', reject);
    });
    await request(hubUrl, '/api/v1/me/state', {
      method: 'PUT',
      token: login.token,
      body: { state: 'available' },
    });
  }

  let n = 0;
  let failed = 0;
  const inbound = async (): Promise<{ sent: number; taskId: string }> => {
    const i = n++;
    const hubUrl = hubUrls[i % hubUrls.length]!;
    const sent = performance.now();
    const r = (await post(hubUrl, '/api/v1/inbound/messages', KEY, {
      channel: 'chat',
      from: { email: `bench-${setup.replace(/\W/g, '')}-${i}@example.com` },
      text: `bench ${i}`,
      queue: 'bench',
    }).catch(() => {
      failed++;
      return { taskId: '' };
    })) as { taskId: string };
    return { sent, taskId: r.taskId };
  };
  const waitOffers = async (ids: string[], timeoutMs: number): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    while (ids.some((id) => !offeredAt.has(id)) && performance.now() < deadline) await sleep(20);
  };

  // Warm-up (JIT, connection pools, plans).
  const warm = await Promise.all(Array.from({ length: 50 }, () => inbound()));
  await waitOffers(
    warm.map((w) => w.taskId),
    10_000,
  );
  await sleep(1000);

  /**
   * Posts `total` tasks open loop at `rate` per second (sends do not wait for answers; at most
   * 256 in flight: a setup that cannot keep up shows it as a lower achieved rate) and waits for
   * their offers.
   */
  const atRate = async (total: number) => {
    const pending: Promise<{ sent: number; taskId: string }>[] = [];
    let inFlight = 0;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      while (inFlight >= 256) await sleep(1);
      inFlight++;
      pending.push(inbound().finally(() => inFlight--));
    }
    const sentAll = performance.now();
    const results = await Promise.all(pending);
    await waitOffers(
      results.map((r) => r.taskId),
      30_000,
    );
    // Each offered task: when it was sent (ms from the first) and its offer latency.
    const series = results
      .filter((r) => r.taskId && offeredAt.has(r.taskId))
      .map((r): [number, number, string] => [
        r.sent - start,
        offeredAt.get(r.taskId)! - r.sent,
        r.taskId,
      ]);
    return { results, latencies: series.map(([, latency]) => latency), start, sentAll, series };
  };

  // The first seconds at the rate, reported on their own: a hub that has just started (cold
  // JIT, connections that have not yet kept their plans) is slower than one that has been
  // serving for a while, which is what the latency run then measures.
  const warmUp = opts.warmSeconds > 0 ? await atRate(opts.rate * opts.warmSeconds) : undefined;
  if (warmUp) await sleep(1500);

  // Latency at a fixed offered rate.
  const total = opts.rate * opts.seconds;
  const cpuRateBefore = cpu();
  const { results, latencies, start, sentAll, series } = await atRate(total);
  if (process.env.BENCH_LATENCY_DUMP)
    writeFileSync(
      process.env.BENCH_LATENCY_DUMP,
      JSON.stringify(await latencyDump(series, results, start, opts.statementsUrl)),
    );
  const lost = results.length - latencies.length;
  const offeredInTime = latencies.length;
  if (lost > 0)
    console.error(`${setup}: ${lost} tasks got no offer in time (${failed} posts failed)`);
  await sleep(1500);
  const cpuRateAfter = cpu();

  // Flood: sustained routing throughput.
  const cpuBefore = cpu();
  const floodStart = performance.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < opts.flood) {
        next++;
        const r = await inbound();
        if (r.taskId) ids.push(r.taskId);
      }
    }),
  );
  await waitOffers(ids, 60_000);
  const lastOffer = Math.max(...ids.map((id) => offeredAt.get(id) ?? 0));
  const offeredCount = ids.filter((id) => offeredAt.has(id)).length;
  // Offers made per second from the first post to the last offer (0 when none came).
  const sustained = offeredCount > 0 ? (offeredCount * 1000) / (lastOffer - floodStart) : 0;
  await sleep(1000); // the last tickets are closed 300 ms after their assignment
  const cpuAfter = cpu();
  if (process.env.BENCH_PG_STATEMENTS && opts.statementsUrl)
    await printStatements(opts.statementsUrl);
  const perTask = (a: number, b: number, n = offeredCount) =>
    Math.round(((b - a) / Math.max(1, n)) * 100) / 100;
  const perTaskOf = (
    before: ReturnType<typeof cpu>,
    after: ReturnType<typeof cpu>,
    n: number,
  ): RoutingResult['cpuMsPerTask'] => ({
    hubs: perTask(before.hubs, after.hubs, n),
    database:
      before.database === null || after.database === null
        ? null
        : perTask(before.database, after.database, n),
    consoles: perTask(before.consoles, after.consoles, n),
  });

  for (const ws of sockets) ws.close();
  return {
    setup,
    agents: opts.agents,
    offerLatencyMs: {
      ...summarize(latencies),
      atRate: opts.rate,
      offeredOf: `${offeredInTime}/${total}`,
      achievedRate: Math.round((total * 1000) / (sentAll - start)),
    },
    ...(warmUp ? { warmUpLatencyMs: summarize(warmUp.latencies) } : {}),
    sustainedTasksPerSecond: Math.round(sustained),
    missedOffers: missed,
    failedPosts: failed,
    cpuMsPerTask: perTaskOf(cpuBefore, cpuAfter, offeredCount),
    cpuMsPerTaskAtRate: perTaskOf(cpuRateBefore, cpuRateAfter, offeredInTime),
  };
}

/**
 * `BENCH_LATENCY_DUMP`: each task of the latency run — when it was sent (ms from the run's start
 * and epoch ms, to line it up with other logs), its offer latency and, on PostgreSQL, when its
 * inbound transaction and the routing pass that offered it started (their `now()`, stored as the
 * events' time), in ms after the send: where a slow task spent its time.
 */
async function latencyDump(
  series: readonly [number, number, string][],
  results: readonly { taskId: string }[],
  start: number,
  databaseUrl: string | undefined,
): Promise<object[]> {
  const started = new Map<string, { queued: number | null; offered: number | null }>();
  const num = (v: number | null): number | null => (v === null ? null : Number(v));
  if (databaseUrl) {
    const db = await openDb({ databaseUrl });
    try {
      const rows = await db.query<{
        task_id: string;
        queued: number | null;
        offered: number | null;
      }>(
        `select task_id,
           extract(epoch from min(occurred_at) filter (where type = 'task.queued')) * 1000 as queued,
           extract(epoch from min(occurred_at) filter (where type = 'offer.created')) * 1000 as offered
         from events where task_id = any($1::uuid[]) group by task_id`,
        [results.map((r) => r.taskId).filter(Boolean)],
      );
      for (const r of rows)
        started.set(r.task_id, { queued: num(r.queued), offered: num(r.offered) });
    } finally {
      await db.close();
    }
  }
  const origin = performance.timeOrigin + start;
  return series.map(([sentMs, latencyMs, taskId]) => {
    const sentAt = origin + sentMs;
    const tx = started.get(taskId);
    return {
      sentMs,
      sentAt,
      latencyMs,
      ...(tx?.queued != null ? { inboundTxStartMs: tx.queued - sentAt } : {}),
      ...(tx?.offered != null ? { passTxStartMs: tx.offered - sentAt } : {}),
    };
  });
}

/**
 * Profiling aid: the database's most expensive statements (`pg_stat_statements`), when the server
 * was started with `POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements"` and
 * `BENCH_PG_STATEMENTS=1` is set.
 */
async function printStatements(url: string): Promise<void> {
  const db = await openDb({ databaseUrl: url });
  try {
    await db.query('create extension if not exists pg_stat_statements');
    // Planning shows only with `-c pg_stat_statements.track_planning=on` (0 otherwise).
    const rows = await db.query<{
      calls: string;
      ms: number;
      per: number;
      plans: string;
      planMs: number;
      query: string;
    }>(
      `select calls, round(total_exec_time::numeric, 0)::float as ms,
         round((total_exec_time / nullif(calls, 0))::numeric, 3)::float as per,
         plans, round(total_plan_time::numeric, 0)::float as "planMs", query
       from pg_stat_statements order by total_exec_time + total_plan_time desc limit 25`,
    );
    for (const r of rows)
      console.error(
        `${r.ms} ms ${r.calls}× ${r.per} ms, planning ${r.planMs} ms ${r.plans}×  ${r.query.replace(/\s+/g, ' ').slice(0, 100)}`,
      );
  } finally {
    await db.close();
  }
}

/** The routing benchmark: PGlite (1 hub), PostgreSQL with 1 hub and with 2 hubs (hub processes). */
export async function routingBench(opts: RoutingOptions): Promise<RoutingResult[]> {
  try {
    return await routingSetups(opts);
  } finally {
    closeHttpClient(); // keep-alive sockets would keep the process alive
  }
}

async function routingSetups(opts: RoutingOptions): Promise<RoutingResult[]> {
  const out: RoutingResult[] = [];
  const setups = new Set<RoutingSetup>(opts.setups ?? ROUTING_SETUPS);
  if (setups.has('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'concierge-bench-routing-'));
    try {
      await seed({ dataDir: dir }, opts.agents);
      const hub = await spawnHub(['--data-dir', dir]);
      try {
        out.push(await runSetup('PGlite, 1 hub', [hub], opts));
      } finally {
        await hub.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const counts = ([1, 2] as const).filter((c) => setups.has(`pg${c}`));
  if (counts.length === 0) return out;
  const why = postgresUnavailable();
  if (why) {
    console.error(`PostgreSQL setups skipped: ${why}`);
    return out;
  }
  const pg = await startPostgres();
  try {
    for (const count of counts) {
      const url = await pg.createDatabase();
      await seed({ databaseUrl: url }, opts.agents);
      const hubs: Started[] = [];
      try {
        const hubUrl = opts.pgSocket === 'unix' ? pg.unixUrl(url) : url;
        for (let i = 0; i < count; i++) hubs.push(await spawnHub(['--database-url', hubUrl]));
        const over = opts.pgSocket === 'unix' ? ', Unix socket' : '';
        out.push(
          await runSetup(
            `PostgreSQL 15, ${count} hub${count > 1 ? 's' : ''}${over}`,
            hubs,
            { ...opts, statementsUrl: url },
            pg.pid,
          ),
        );
      } finally {
        for (const h of hubs) await h.stop();
      }
    }
  } finally {
    await pg.stop();
  }
  return out;
}
