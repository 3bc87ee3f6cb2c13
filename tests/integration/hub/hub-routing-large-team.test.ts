import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { inbound, startTestHub, TEST_SCRYPT_COST, type TestHub, uniqueEmail } from './harness.js';

/**
 * A routing pass locks only the longest idle few of a big team (2 per task + 10, per queue, in
 * the matcher's order). These tests prove that what it leaves out never changes a decision:
 * membership tier and eligibility still reach an agent far down the idle line.
 */
describe('routing in a team larger than the agents a pass locks', () => {
  const TEAM = 30;
  let t: TestHub;
  const team: string[] = [];
  let queueId = '';

  beforeAll(async () => {
    t = await startTestHub();
    await t.hub.ctx.tx(async (q) => {
      queueId = (await createQueue(q, { name: 'big', channels: ['chat'] })).id;
      for (let i = 0; i < TEAM; i++) {
        const login = `big${String(i).padStart(2, '0')}`;
        const { id } = await ensureAgent(
          q,
          { login, name: login, password: 'pw-big-team-1', roles: ['agent'], queues: ['big'] },
          TEST_SCRYPT_COST,
        );
        team.push(id);
      }
    });
  });
  afterAll(async () => t?.close());

  /** Everyone in the team available and free; agent i has been idle for (TEAM - i) minutes. */
  beforeEach(async () => {
    const q = t.hub.ctx.db.query;
    await q(
      `update tasks set status = 'canceled', agent_id = null where queue_id = $1
             and status in ('queued', 'offered', 'assigned', 'wrapping')`,
      [queueId],
    );
    await q(`update offers set status = 'revoked' where status = 'pending'`);
    await q(
      `update agents set selected_state = 'offline', state = 'offline' where not (id = any($1::uuid[]))`,
      [team],
    );
    for (const [i, id] of team.entries()) {
      await q(
        `update agents set selected_state = 'available', state = 'available', disconnected_at = null,
           wrap_until = null, skills = '{}'::jsonb,
           idle_since = now() - make_interval(mins => $2) where id = $1`,
        [id, TEAM - i],
      );
    }
    await q(`update agent_queues set priority = 0 where queue_id = $1`, [queueId]);
  });

  const routedTo = async (skills: Record<string, number> = {}): Promise<string | null> => {
    const r = await inbound(t.url, {
      channel: 'chat',
      from: { email: uniqueEmail('big') },
      text: 'hello',
      queue: 'big',
      skills,
    });
    await t.hub.ctx.router.run();
    const rows = await t.hub.ctx.db.query<{ agent_id: string | null }>(
      'select agent_id from tasks where id = $1',
      [r.taskId],
    );
    return rows[0]?.agent_id ?? null;
  };

  it('gives a plain task to the longest idle of the team', async () => {
    expect(await routedTo()).toBe(team[0]);
  });

  it('finds the one agent with the required skill at the end of the idle line', async () => {
    const last = team[TEAM - 1]!;
    await t.hub.ctx.db.query(`update agents set skills = '{"de": 2}'::jsonb where id = $1`, [last]);
    expect(await routedTo({ de: 1 })).toBe(last);
  });

  it('prefers a higher membership tier over the longest idle, however far down the line', async () => {
    const last = team[TEAM - 1]!;
    await t.hub.ctx.db.query(
      'update agent_queues set priority = 5 where agent_id = $1 and queue_id = $2',
      [last, queueId],
    );
    expect(await routedTo()).toBe(last);
  });
});
