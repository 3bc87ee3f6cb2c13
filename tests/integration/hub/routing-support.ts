import { type Channel } from '../../../src/shared/domain/index.js';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { FakeClock } from '../../../src/hub/clock.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { type HubOptions } from '../../../src/hub/server.js';
import { call, login, PASSWORD, startTestHub, TEST_SCRYPT_COST, type TestHub } from './harness.js';

export interface RoutingHub extends TestHub {
  clock: FakeClock;
  tokens: Record<string, string>;
  /** Moves the hub clock and fires whatever timers fell due. */
  advance(ms: number): Promise<number>;
  events(type?: string): Promise<
    {
      type: string;
      agent_id: string | null;
      task_id: string | null;
      data: Record<string, unknown>;
    }[]
  >;
}

/**
 * A test hub with offer-mode queues and its own agents, on a fake clock whose timers only fire
 * when the test advances it:
 * - `live` (chat, voice, email; offers, chat timeout 30 s): o1, o2;
 * - `care` (chat; offers; wrap-up 20 s, topic required from refund|other): o3;
 * - `backlog` (email; pull mode, auto-accept): o3.
 */
export async function startRoutingHub(opts: HubOptions = {}): Promise<RoutingHub> {
  const clock = new FakeClock(Date.now());
  const t = await startTestHub({
    clock,
    timerPollMs: 3_600_000,
    routingSweepMs: 3_600_000,
    presence: {
      heartbeatIntervalMs: 10_000,
      disconnectAfterMs: 30_000,
      returnWorkAfterMs: 120_000,
    },
    ...opts,
  });
  await t.hub.ctx.tx(async (q) => {
    const queues: (Parameters<typeof createQueue>[1] & { channels: Channel[] })[] = [
      {
        name: 'live',
        channels: ['chat', 'voice', 'email'],
        priority: 3,
        offerTimeouts: { chat: 30 },
      },
      {
        name: 'care',
        channels: ['chat'],
        priority: 2,
        offerTimeouts: { chat: 30 },
        wrapUpSeconds: 20,
        topicRequired: true,
        topics: ['refund', 'other'],
      },
      { name: 'backlog', channels: ['email'], priority: 1, mode: 'pull', autoAccept: ['email'] },
    ];
    for (const queue of queues) t.ids[queue.name] = (await createQueue(q, queue)).id;
    for (const [login, queueNames] of [
      ['o1', ['live']],
      ['o2', ['live']],
      ['o3', ['care', 'backlog']],
    ] as const) {
      const a = await ensureAgent(
        q,
        {
          login,
          name: `Agent ${login}`,
          password: PASSWORD,
          roles: ['agent'],
          queues: [...queueNames],
        },
        TEST_SCRYPT_COST,
      );
      t.ids[login] = a.id;
    }
  });
  const tokens: Record<string, string> = {};
  for (const name of ['o1', 'o2', 'o3', 'sup', 'adm']) tokens[name] = await login(t.url, name);
  return {
    ...t,
    clock,
    tokens,
    async advance(ms) {
      clock.advance(ms);
      const fired = await t.hub.ctx.scheduler.runDue();
      await t.hub.ctx.router.run();
      return fired;
    },
    async events(type) {
      return t.hub.ctx.db.query(
        `select type, agent_id, task_id, data from events ${type ? 'where type = $1' : ''} order by id`,
        type ? [type] : [],
      );
    },
  };
}

export async function state(
  t: TestHub,
  token: string,
): Promise<{ state: string; reason: string | null; next?: unknown; wrapUpUntil?: string | null }> {
  const res = await call<{ status: { state: string; reason: string | null } }>(
    t.url,
    'GET',
    '/api/v1/me',
    { token },
  );
  return res.body.status;
}

export async function pendingOffer(
  t: TestHub,
  token: string,
): Promise<{ id: string; taskId: string; expiresAt: string; ticket: { id: string } } | undefined> {
  const res = await call<{
    offers: { id: string; taskId: string; expiresAt: string; ticket: { id: string } }[];
  }>(t.url, 'GET', '/api/v1/me/work', { token });
  return res.body.offers[0];
}
