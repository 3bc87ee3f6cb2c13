import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { lockTasksAndAgents } from '../../../src/hub/routing/claim.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { inbound, startTestHub, TEST_SCRYPT_COST, type TestHub, uniqueEmail } from './harness.js';

/**
 * A routing pass locks its tasks and the agents it looks at first in one statement
 * (lockTasksAndAgents): only members of the locked tasks' queues, with room and ready, at most
 * 2 per task + 10 per queue in the matcher's order (membership tier, longest idle).
 */
const defineClaimSuite = (name: string, start: () => Promise<TestHub & { databaseUrl?: string }>) =>
  describe(`routing locks in one statement (${name})`, () => {
    const HOT = 20;
    let t: TestHub & { databaseUrl?: string };
    const hot: string[] = [];
    const cold: string[] = [];
    const queue: Record<string, string> = {};
    const tasks: Record<string, string[]> = { hot: [], cold: [] };
    let databaseUrl: string | undefined;

    beforeAll(async () => {
      t = await start();
      databaseUrl = t.databaseUrl;
      await t.hub.ctx.tx(async (q) => {
        for (const name of ['hot', 'cold'])
          queue[name] = (await createQueue(q, { name, channels: ['chat'] })).id;
        const team = async (name: string, n: number, into: string[]) => {
          for (let i = 0; i < n; i++) {
            const login = `${name}${String(i).padStart(2, '0')}`;
            const { id } = await ensureAgent(
              q,
              {
                login,
                name: login,
                password: 'pw-claim-test-1',
                roles: ['agent'],
                queues: [name],
                capacity: { chat: 1 },
              },
              TEST_SCRYPT_COST,
            );
            into.push(id);
          }
        };
        await team('hot', HOT, hot);
        await team('cold', 3, cold);
      });
      // Everyone is offline: the tasks stay queued.
      for (const [name, n] of [
        ['hot', 3],
        ['cold', 2],
      ] as const) {
        for (let i = 0; i < n; i++) {
          const r = await inbound(t.url, {
            channel: 'chat',
            from: { email: uniqueEmail(name) },
            text: 'hello',
            queue: name,
          });
          tasks[name]!.push(r.taskId!);
        }
      }
    });
    afterAll(async () => t?.close());

    /** Every test task queued (hot ones first), both teams ready and free; the cold team idle longest. */
    beforeEach(async () => {
      const q = t.hub.ctx.db.query;
      await q(`update offers set status = 'revoked' where status = 'pending'`);
      await q(
        `update tasks set status = 'queued', agent_id = null,
           priority = case when queue_id = $1 then 5 else 1 end
         where queue_id = any($2::uuid[])`,
        [queue.hot, [queue.hot, queue.cold]],
      );
      await q(`update agent_capacity set capacity = 1 where agent_id = any($1::uuid[])`, [
        [...hot, ...cold],
      ]);
      await q(
        `update agents set selected_state = 'offline', state = 'offline' where not (id = any($1::uuid[]))`,
        [[...hot, ...cold]],
      );
      const idle: [string, number][] = [
        ...hot.map((id, i): [string, number] => [id, 100 - i]),
        ...cold.map((id, i): [string, number] => [id, 1000 - i]),
      ];
      for (const [id, minutes] of idle) {
        await q(
          `update agents set selected_state = 'available', state = 'available',
             disconnected_at = null, wrap_until = null, idle_since = now() - make_interval(mins => $2)
           where id = $1`,
          [id, minutes],
        );
      }
    });

    const lock = (limit: number) =>
      t.hub.ctx.db.transaction((q) => lockTasksAndAgents(q, limit, new Date()));
    /** The locked agents' views (read behind the locks in the same round trip) are theirs. */
    const viewed = (r: Awaited<ReturnType<typeof lock>>) => r.agents.map((a) => a.id).sort();

    it('locks only members of the locked tasks’ queues, 2 per task + 4, the longest idle first', async () => {
      const two = await lock(2);
      expect(two.tasks.map((r) => r.id).sort()).toEqual(tasks.hot!.slice(0, 2).sort());
      expect(two.agentIds.sort()).toEqual(hot.slice(0, 8).sort());
      expect(viewed(two)).toEqual(two.agentIds);

      // 5 tasks locked: up to 14 per queue — the hot team's first 14, the whole cold team.
      const five = await lock(5);
      expect(five.tasks.map((r) => r.id)).toEqual([...tasks.hot!, ...tasks.cold!]);
      expect(five.agentIds.sort()).toEqual([...hot.slice(0, 14), ...cold].sort());
      expect(viewed(five)).toEqual(five.agentIds);
    });

    it('leaves out agents without room on the channel or not ready', async () => {
      const q = t.hub.ctx.db.query;
      // hot00 holds a live task up to its capacity, hot01 has no chat capacity, hot02 wraps up.
      await q(`update tasks set status = 'assigned', agent_id = $1 where id = $2`, [
        hot[0],
        tasks.hot![2],
      ]);
      await q(`update agent_capacity set capacity = 0 where agent_id = $1`, [hot[1]]);
      await q(`update agents set wrap_until = now() + interval '1 minute' where id = $1`, [hot[2]]);
      const one = await lock(1);
      expect(one.tasks.map((r) => r.id)).toEqual([tasks.hot![0]]);
      expect(one.agentIds.sort()).toEqual(hot.slice(3, 9).sort());
      expect(viewed(one)).toEqual(one.agentIds);
      // What the matcher reads about them is what they are now: ready, with nothing live yet.
      expect(one.agents.every((a) => a.ready && Object.keys(a.load).length === 0)).toBe(true);
    });

    it('locks nothing and returns no agents when no task is queued for a free agent', async () => {
      await t.hub.ctx.db.query(`update agents set selected_state = 'offline' where id = any($1)`, [
        [...hot, ...cold],
      ]);
      expect(await lock(5)).toEqual({ tasks: [], agentIds: [], agents: [] });
    });

    it('reads no agents behind a lock that locked nothing, even after one that did in the same transaction', async () => {
      await t.hub.ctx.db.transaction(async (q) => {
        const first = await lockTasksAndAgents(q, 1, new Date());
        expect(first.agents.length).toBeGreaterThan(0);
        await q(`update agents set selected_state = 'offline' where id = any($1)`, [
          [...hot, ...cold],
        ]);
        expect(await lockTasksAndAgents(q, 1, new Date())).toEqual({
          tasks: [],
          agentIds: [],
          agents: [],
        });
      });
    });

    // Defined for PostgreSQL only (not skipped on PGlite): it needs a second connection, and
    // PGlite is one connection in one process.
    if (name === 'PostgreSQL')
      it('holds the row locks: another transaction skips exactly those tasks, tickets and agents', async () => {
        const other = new pg.Client({ connectionString: databaseUrl });
        await other.connect();
        try {
          const skipped = async (table: string, ids: string[]) => {
            const rows = await other.query<{ id: string }>(
              `select id from ${table} where id = any($1::uuid[]) for update skip locked`,
              [ids],
            );
            return rows.rows.map((r) => r.id).sort();
          };
          const all = [...tasks.hot!, ...tasks.cold!];
          const tickets = async (ids: string[]) =>
            (
              await other.query<{ ticket_id: string }>(
                'select ticket_id from tasks where id = any($1::uuid[])',
                [ids],
              )
            ).rows.map((r) => r.ticket_id);
          const allTickets = await tickets(all);
          await t.hub.ctx.db.transaction(async (q) => {
            const r = await lockTasksAndAgents(q, 2, new Date());
            const locked = r.tasks.map((x) => x.id);
            const lockedTickets = await tickets(locked);
            await other.query('begin');
            expect(await skipped('tasks', all)).toEqual(
              all.filter((id) => !locked.includes(id)).sort(),
            );
            expect(await skipped('tickets', allTickets)).toEqual(
              allTickets.filter((id) => !lockedTickets.includes(id)).sort(),
            );
            expect(await skipped('agents', [...hot, ...cold])).toEqual(
              [...hot, ...cold].filter((id) => !r.agentIds.includes(id)).sort(),
            );
            await other.query('rollback');
          });
        } finally {
          await other.end();
        }
      });

    // Last: it leaves offers behind.
    it('a routing pass offers each task to a member of its own queue, within capacity', async () => {
      await t.hub.ctx.router.run();
      const rows = await t.hub.ctx.db.query<{
        id: string;
        agent_id: string | null;
        status: string;
      }>('select id, agent_id, status from tasks where id = any($1::uuid[])', [
        [...tasks.hot!, ...tasks.cold!],
      ]);
      const to = new Map(rows.map((r) => [r.id, r]));
      expect(tasks.hot!.map((id) => to.get(id)!.agent_id).sort()).toEqual(hot.slice(0, 3).sort());
      expect(tasks.cold!.map((id) => to.get(id)!.agent_id).sort()).toEqual(cold.slice(0, 2).sort());
      expect(rows.every((r) => r.status === 'offered')).toBe(true);
    });
  });

defineClaimSuite('PGlite', () => startTestHub({ routingSweepMs: 3_600_000 }));

const available = requirePostgres('routing locks on PostgreSQL');
let server: TestPostgres | undefined;
afterAll(async () => {
  await server?.stop();
});
describe.skipIf(!available)('PostgreSQL', () => {
  defineClaimSuite('PostgreSQL', async () => {
    server = await startPostgres();
    const databaseUrl = await server.createDatabase();
    return {
      ...(await startTestHub({ databaseUrl, routingSweepMs: 3_600_000 })),
      databaseUrl,
    };
  });
});
