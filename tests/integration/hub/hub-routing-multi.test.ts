import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { type HubEvent, type StreamFrame } from '../../../src/shared/api/index.js';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import {
  call,
  inbound,
  login,
  PASSWORD,
  startTestHub,
  TEST_SCRYPT_COST,
  type TestHub,
} from './harness.js';

const available = requirePostgres('routing on two hubs (PostgreSQL)');
let server: TestPostgres | undefined;
afterAll(async () => {
  await server?.stop();
});

const AGENTS = 50;
const TASKS = Number(process.env.ROUTING_MULTI_TASKS ?? 5000);
const CAPACITY = { chat: 2, email: 3 } as const;

/** A stream client that records every event frame (and acts on some) as they arrive. */
class SimAgent {
  readonly events: HubEvent[] = [];
  ready = -1;
  private ws!: WebSocket;
  constructor(
    readonly login: string,
    readonly id: string,
    readonly url: string,
    readonly token: string,
    private readonly onEvent: (agent: SimAgent, e: HubEvent) => void,
  ) {}
  open(): Promise<void> {
    const u = new URL('/api/v1/stream', this.url.replace(/^http/, 'ws'));
    this.ws = new WebSocket(u, { headers: { authorization: `Bearer ${this.token}` } });
    return new Promise((resolve, reject) => {
      this.ws.on('message', (data) => {
        // Plain JSON.parse: tens of thousands of frames, and the CPU is shared with both hubs.
        const frame = JSON.parse(String(data)) as StreamFrame;
        if (frame.kind === 'ready') {
          this.ready = frame.lastEventId;
          resolve();
        } else if (frame.kind === 'event') {
          this.events.push(frame.event);
          this.onEvent(this, frame.event);
        }
      });
      this.ws.once('error', reject);
    });
  }
  close(): void {
    this.ws.close();
  }
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

describe.skipIf(!available)('routing on two hubs sharing one PostgreSQL', () => {
  it(`${AGENTS} agents on either hub, ${TASKS} tasks: each assigned once, capacity kept, every event once in order`, async () => {
    server = await startPostgres();
    const dbUrl = await server.createDatabase();
    const opts = { databaseUrl: dbUrl, timerPollMs: 200, routingSweepMs: 500 };
    const a = await startTestHub(opts);
    // The second hub runs on the smallest pool the CLI allows: under this load it must neither
    // stall nor lose anything (a statement waiting for a connection its own transaction holds).
    const b = await startTestHub({ ...opts, poolSize: 2 });
    const hubs: TestHub[] = [a, b];
    const agents: SimAgent[] = [];
    const supervisors: SimAgent[] = [];
    const failures: string[] = [];
    try {
      const ids: Record<string, string> = {};
      await a.hub.ctx.tx(async (q) => {
        await createQueue(q, {
          name: 'bulk',
          channels: ['chat', 'email'],
          autoAccept: ['email'],
          offerTimeouts: { chat: 60 },
        });
        for (let i = 0; i < AGENTS; i++) {
          const login = `sim${String(i).padStart(2, '0')}`;
          ids[login] = (
            await ensureAgent(
              q,
              {
                login,
                name: login,
                password: PASSWORD,
                roles: ['agent'],
                queues: ['bulk'],
                capacity: CAPACITY,
              },
              TEST_SCRYPT_COST,
            )
          ).id;
        }
      });

      // Simulated consoles: accept every offer, close every ticket a moment after it arrives.
      const act = (agent: SimAgent, e: HubEvent): void => {
        if (e.agentId !== agent.id) return;
        const run = async (path: string): Promise<void> => {
          const res = await call(agent.url, 'POST', path, { token: agent.token });
          if (res.status !== 200)
            failures.push(`${agent.login} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
        };
        if (e.type === 'offer.created') {
          const offer = e.data.offer as { id: string };
          setTimeout(() => void run(`/api/v1/offers/${offer.id}/accept`), Math.random() * 20);
        } else if (e.type === 'task.assigned') {
          setTimeout(() => void run(`/api/v1/tickets/${e.ticketId}/close`), 5 + Math.random() * 30);
        }
      };
      for (const [i, login] of Object.keys(ids).entries()) {
        const hub = hubs[i % 2]!;
        const token = await login_(hub.url, login);
        const agent = new SimAgent(login, ids[login]!, hub.url, token, act);
        await agent.open();
        agents.push(agent);
      }
      for (const hub of hubs) {
        const sup = new SimAgent('sup', '', hub.url, await login_(hub.url, 'sup'), () => {});
        await sup.open();
        supervisors.push(sup);
      }
      for (const agent of agents) {
        const res = await call(agent.url, 'PUT', '/api/v1/me/state', {
          token: agent.token,
          body: { state: 'available' },
        });
        expect(res.status).toBe(200);
      }

      // Capacity is checked all along, not only at the end.
      let maxOver = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const rows = await a.hub.ctx.db.query<{ n: number; cap: number; offers: number }>(
            `select count(*)::int as n, c.capacity as cap,
               count(*) filter (where t.status = 'offered')::int as offers
             from tasks t join agent_capacity c on c.agent_id = t.agent_id and c.channel = t.channel
             where t.status in ('offered', 'assigned', 'wrapping') group by t.agent_id, t.channel, c.capacity`,
          );
          for (const r of rows) maxOver = Math.max(maxOver, r.n - r.cap, r.offers - 1);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      const started = Date.now();
      const taskIds: string[] = [];
      await pool(
        Array.from({ length: TASKS }, (_, i) => i),
        16,
        async (i) => {
          const r = await inbound(hubs[i % 2]!.url, {
            channel: i % 2 ? 'chat' : 'email',
            from: { email: `load-${i}@example.com` },
            text: `message ${i}`,
            queue: 'bulk',
          });
          taskIds.push(r.taskId!);
        },
      );
      const posted = Date.now() - started;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const [row] = await a.hub.ctx.db.query<{ n: number }>(
          `select count(*)::int as n from tasks where status = 'completed'`,
        );
        if (row!.n === TASKS || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const elapsed = Date.now() - started;
      sampling = false;
      await sampler;
      // Let the last events reach every stream.
      const [last] = await a.hub.ctx.db.query<{ id: string }>('select max(id) as id from events');
      const lastId = Number(last!.id);
      const waitUntil = Date.now() + 20_000;
      while (
        supervisors.some((s) => (s.events.at(-1)?.id ?? 0) < lastId) &&
        Date.now() < waitUntil
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }

      expect(failures).toEqual([]);
      expect(new Set(taskIds).size).toBe(TASKS);
      const [done] = await a.hub.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from tasks where status = 'completed'`,
      );
      expect(done!.n).toBe(TASKS);
      // Each task assigned exactly once (one task.assigned event, one accepted offer).
      const assigned = await a.hub.ctx.db.query<{ task_id: string; n: number }>(
        `select task_id, count(*)::int as n from events where type = 'task.assigned' group by task_id`,
      );
      expect(assigned).toHaveLength(TASKS);
      expect(assigned.every((r) => r.n === 1)).toBe(true);
      const accepted = await a.hub.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from offers where status = 'accepted'`,
      );
      expect(accepted[0]!.n).toBe(TASKS);
      expect(maxOver).toBeLessThanOrEqual(0);

      // Every client got every event it may see exactly once, in id order.
      const all = await a.hub.ctx.db.query<{ id: string; agent_id: string | null }>(
        'select id, agent_id from events order by id',
      );
      for (const sup of supervisors) {
        const expected = all.map((e) => Number(e.id)).filter((id) => id > sup.ready);
        expect(sup.events.map((e) => e.id)).toEqual(expected);
      }
      for (const agent of agents) {
        const got = agent.events.map((e) => e.id);
        expect(got).toEqual([...new Set(got)].sort((x, y) => x - y));
        const mine = all
          .filter((e) => e.agent_id === agent.id && Number(e.id) > agent.ready)
          .map((e) => Number(e.id));
        const gotSet = new Set(got);
        expect(mine.filter((id) => !gotSet.has(id))).toEqual([]);
      }

      // Spread of tasks per agent (longest idle first, ties by fewest today).
      const per = await a.hub.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from tasks where status = 'completed' group by agent_id`,
      );
      const counts = per.map((r) => r.n).sort((x, y) => x - y);
      const mean = TASKS / AGENTS;
      const sd = Math.sqrt(counts.reduce((s, n) => s + (n - mean) ** 2, 0) / AGENTS);
      const onHubA = agents.filter((_, i) => i % 2 === 0).map((x) => x.id);
      const byHub = await a.hub.ctx.db.query<{ hub: string; n: number }>(
        `select case when agent_id = any($1::uuid[]) then 'A' else 'B' end as hub, count(*)::int as n
         from tasks where status = 'completed' group by 1 order by 1`,
        [onHubA],
      );
      console.log(
        `[routing spread] ${TASKS} tasks, ${AGENTS} agents on 2 hubs: posted in ${posted} ms, all completed in ${elapsed} ms ` +
          `(${Math.round((TASKS * 1000) / elapsed)} tasks/s); tasks per agent min ${counts[0]} median ${counts[Math.floor(AGENTS / 2)]} ` +
          `max ${counts.at(-1)} mean ${mean} sd ${sd.toFixed(1)}; by hub of the agent ${JSON.stringify(byHub)}`,
      );
      expect(counts).toHaveLength(AGENTS); // everybody worked
      expect(counts[0]!).toBeGreaterThanOrEqual(mean * 0.5);
      expect(counts.at(-1)!).toBeLessThanOrEqual(mean * 1.6);
    } finally {
      for (const c of [...agents, ...supervisors]) c.close();
      await a.close();
      await b.close();
    }
  }, 600_000);
});

const login_ = login;
