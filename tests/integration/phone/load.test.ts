import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRecord } from '../../../src/shared/api/telephony.js';
import { listCalls } from '../../../src/hub/telephony/call-center.js';
import { requireKamailio } from '../../support/kamailio.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startLab, waitFor, type Lab } from '../../support/phone-lab.js';
import { SipCaller } from '../../support/sip-caller.js';

const skip = requireKamailio();
const pgOk = requirePostgres('queue-call load on PostgreSQL');
const CALLS = 50;
const AGENTS = 10;

/**
 * 50 simultaneous queue calls over 10 agents: callers wait in Kamailio (suspended, no worker
 * blocked) while every agent takes one call at a time; each agent hangs up 300 ms after answering.
 */
// PostgreSQL too: five numbers calling ten times each at once is where concurrent customer
// matching and routing in one transaction could deadlock; PGlite serialises transactions.
describe.skipIf(skip).each([
  { db: 'pglite' as const, run: true },
  { db: 'postgres' as const, run: pgOk },
])('load: 50 simultaneous queue calls over 10 agents ($db)', ({ db, run }) => {
  let lab: Lab;
  let pg: TestPostgres | undefined;
  const callers: SipCaller[] = [];

  beforeAll(async () => {
    if (!run) return;
    pg = db === 'postgres' ? await startPostgres() : undefined;
    const databaseUrl = pg ? await pg.createDatabase('phone_load') : undefined;
    lab = await startLab({
      ...(databaseUrl ? { databaseUrl } : {}),
      agents: AGENTS,
      queues: [
        {
          name: 'orders',
          channels: ['voice'],
          priority: 10,
          offerTimeouts: { voice: 10 },
          wrapUpSeconds: 0,
          maxWaitSeconds: 600,
        },
      ],
    });
    for (let i = 0; i < 5; i++) {
      const c = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, `+4860020000${i}`);
      await c.start();
      callers.push(c);
    }
    for (const a of lab.agents) {
      a.hangupAfterMs = 300;
      await lab.setState(a, 'available');
    }
  }, 60_000);

  afterAll(async () => {
    for (const c of callers) await c.stop();
    await lab?.stop();
    await pg?.stop();
  });

  it.skipIf(!run)(
    'answers every call, offers nobody two calls at once, and accounts for every call',
    async () => {
      const t0 = Date.now();
      const calls = Array.from({ length: CALLS }, (_, i) =>
        callers[i % callers.length]!.call('queue-orders'),
      );
      const outcomes = await Promise.all(calls.map((c) => c.outcome));
      expect(outcomes.filter((o) => o !== 200)).toEqual([]);
      await Promise.all(calls.map((c) => c.ended));
      const elapsed = Date.now() - t0;

      // Nobody had two calls at once, on the phone or in the hub's offers.
      expect(Math.max(...lab.agents.map((a) => a.maxConcurrent))).toBe(1);
      const accepted = await lab.events(['offer.accepted']);
      expect(accepted).toHaveLength(CALLS);
      const rejected = await lab.events(['offer.rejected', 'offer.timed_out']);
      expect(rejected).toEqual([]);
      // Every call in the log: entered, connected, completed by the agent.
      await waitFor(
        async () => (await lab.events(['task.completed'])).length === CALLS,
        'completions',
      );
      expect(
        (await lab.events(['task.queued'])).filter((e) => e.data.channel === 'voice'),
      ).toHaveLength(CALLS);
      const records = (await listCalls(lab.hub.ctx.db.query, 1000)).map((r) => CallRecord.parse(r));
      expect(records).toHaveLength(CALLS);
      expect(new Set(records.map((r) => r.outcome))).toEqual(new Set(['completed_agent']));
      // Every agent took a share (longest idle first spreads the work).
      const perAgent = lab.agents.map((a) => accepted.filter((e) => e.agentId === a.id).length);
      expect(Math.min(...perAgent)).toBeGreaterThan(0);
      console.log(
        `load (${db}): ${CALLS} calls over ${AGENTS} agents in ${elapsed} ms; per agent ${perAgent.join(',')}`,
      );
    },
    120_000,
  );
});
