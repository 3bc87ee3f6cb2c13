import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import { EVAPI_OWNER_LOCK } from '../../../src/hub/telephony/evapi-owner.js';
import { freeTcpPort } from '../../support/kamailio.js';
import { FakeEvapi, hubApi, TELEPHONY_KEY, waitFor } from '../../support/phone-lab.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';

const pgOk = requirePostgres('evapi takeover: ring ids and Kamailio instance (PostgreSQL)');

/**
 * Takeovers between hubs on one PostgreSQL, with Kamailio's evapi side played by a fake that
 * broadcasts every message to every hub (as Kamailio does) and greets with an instance id:
 * - a ring re-offered to the same agent: the old ring's `failed`, replayed by the new owner from
 *   its buffer, is not taken for the new ring (the ring id tells them apart);
 * - Kamailio restarted while the next owner was a standby: the call that entered on the old
 *   instance is ended as lost with the proxy instead of being resumed (the row's instance id).
 */
describe.skipIf(!pgOk)('evapi takeover: ring ids and Kamailio instance ids', () => {
  let postgres: TestPostgres;
  let url: string;
  let fake: FakeEvapi;
  const hubs: RunningHub[] = [];
  let agentId = '';
  let token = '';

  const start = async (retry: [number, number]) => {
    const hub = await startHub({
      databaseUrl: url,
      scryptCost: 1024,
      routingSweepMs: 500,
      timerPollMs: 100,
      telephony: {
        key: TELEPHONY_KEY,
        evapi: { host: '127.0.0.1', port: fake.port },
        ownerRetryMs: retry,
      },
    });
    hubs.push(hub);
    return hub;
  };
  const db = () => hubs.at(-1)!.ctx.db;
  const setState = (hub: RunningHub, state: 'available' | 'paused') =>
    hubApi(hub.url, '/api/v1/me/state', {
      method: 'PUT',
      token,
      body: JSON.stringify(state === 'paused' ? { state, reason: 'break' } : { state }),
    });
  const callRow = async (callId: string) =>
    (
      await db().query<{
        state: string;
        outcome: string | null;
        task_id: string;
        kamailio_instance: string | null;
      }>('select state, outcome, task_id, kamailio_instance from calls where call_id = $1', [
        callId,
      ])
    )[0];
  const offers = async (taskId: string) =>
    db().query<{ id: string; status: string; agent_id: string }>(
      'select id, status, agent_id from offers where task_id = $1 order by offered_at',
      [taskId],
    );
  const events = async (type: string) =>
    db().query<{ task_id: string; data: Record<string, unknown> }>(
      'select task_id, data from events where type = $1 order by id',
      [type],
    );
  const routes = (tindex: number) => fake.commandsFor(tindex).filter((c) => c.action === 'route');
  const enter = (tindex: number, callId: string) =>
    fake.send({
      event: 'enter',
      tindex,
      tlabel: tindex * 11,
      callid: callId,
      ftag: `caller-${callId}`,
      queue: 'orders',
      from: '+48600100200',
    });
  const owner = (hub: RunningHub) => hub.calls!.status.evapiOwner;

  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase('evapitakeover');
    fake = new FakeEvapi(await freeTcpPort(), 'kamailio-1');
    await fake.listen();
    const a = await start([100, 200]);
    expect(await a.calls!.waitConnected(10_000)).toBe(true);
    await a.ctx.tx(async (q) => {
      await createQueue(q, {
        name: 'orders',
        channels: ['voice', 'callback'],
        priority: 10,
        offerTimeouts: { voice: 30 },
      });
      agentId = (
        await ensureAgent(
          q,
          {
            login: 'agent1',
            name: 'Agent 1',
            password: 'pw',
            roles: ['agent'],
            queues: ['orders'],
          },
          1024,
        )
      ).id;
    });
    token = (
      await hubApi<{ token: string }>(a.url, '/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ login: 'agent1', password: 'pw' }),
      })
    ).token;
    await hubApi(a.url, '/api/v1/me/sip', { token });
    // B: a standby on the same socket, buffering what Kamailio says.
    const b = await start([300, 500]);
    await waitFor(() => b.calls!.proxyInstance === 'kamailio-1', 'B on evapi');
    expect(owner(b)).toBe(false);
  }, 90_000);

  afterAll(async () => {
    for (const hub of hubs.reverse()) await hub.close().catch(() => undefined);
    await fake?.down();
    await postgres?.stop();
  });

  it("a replayed failure of the agent's previous ring is not taken for her new ring", async () => {
    const [a, b] = hubs as [RunningHub, RunningHub];
    await setState(a, 'available');
    enter(1, 'call-1');
    await waitFor(() => routes(1).length === 1, 'agent1 rung');
    const row = (await callRow('call-1'))!;
    expect(row.kamailio_instance).toBe('kamailio-1');
    const [first] = await offers(row.task_id);
    expect(routes(1)[0]).toMatchObject({ agent: 'agent1', ringId: first!.id });

    // She pauses while it rings (offer revoked, she is not skipped for the call) and comes back:
    // the call is offered to her again, to be rung when Kamailio reports the first ring's end.
    await setState(a, 'paused');
    await setState(a, 'available');
    await waitFor(async () => (await offers(row.task_id)).length === 2, 'offered again');
    const second = (await offers(row.task_id))[1]!;
    expect(second).toMatchObject({ status: 'pending', agent_id: agentId });
    // The first ring ends (her phone declined it): A rings her again for the new offer.
    fake.send({
      event: 'failed',
      tindex: 1,
      tlabel: 11,
      callid: 'call-1',
      agent: 'agent1',
      ringId: first!.id,
      code: 486,
    });
    await waitFor(() => routes(1).length === 2, 'agent1 rung again');
    expect(routes(1)[1]).toMatchObject({ agent: 'agent1', ringId: second.id });
    await a.calls!.idle();

    // A goes; B takes over and replays its buffer, the first ring's failure included.
    await a.close();
    expect(await b.calls!.waitConnected(10_000)).toBe(true);
    await b.calls!.idle();
    // Without ring ids the replayed 486 would decline the second offer (agent skipped, call waiting).
    expect(await events('offer.rejected')).toEqual([]);
    expect((await offers(row.task_id))[1]).toMatchObject({ id: second.id, status: 'pending' });
    expect((await callRow('call-1'))!.state).toBe('ringing');
    // B asks for the same ring again (a no-op while it goes on in Kamailio).
    await waitFor(() => routes(1).length === 3, 'the ring asked for again');
    expect(routes(1).at(-1)).toMatchObject({ agent: 'agent1', ringId: second.id });

    fake.send({ event: 'answered', callid: 'call-1', agent: 'agent1', ringId: second.id });
    await waitFor(async () => (await callRow('call-1'))?.state === 'connected', 'connected');
    fake.send({ event: 'bye', callid: 'call-1', ftag: 'caller-call-1' });
    await waitFor(async () => (await callRow('call-1'))?.state === 'ended', 'ended');
    expect((await callRow('call-1'))!.outcome).toBe('completed_caller');
    expect((await offers(row.task_id)).map((o) => o.status)).toEqual(['revoked', 'accepted']);
  }, 30_000);

  it('a call that entered before a Kamailio restart is not resumed by a standby that saw it', async () => {
    const b = hubs[1]!;
    await hubApi(b.url, '/api/v1/me/wrap-up/end', {
      method: 'POST',
      token,
      body: JSON.stringify({ topic: 'order status' }),
    }).catch(() => undefined);
    await setState(b, 'paused');
    const c = await start([300, 500]);
    await waitFor(() => c.calls!.proxyInstance === 'kamailio-1', 'C on evapi');
    enter(2, 'call-2');
    await waitFor(async () => (await callRow('call-2'))?.state === 'waiting', 'call 2 waiting');
    expect((await callRow('call-2'))!.kamailio_instance).toBe('kamailio-1');

    // B goes, and this test holds the owner lock until C has seen Kamailio restart.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      const locked = holder.query('select pg_advisory_lock($1)', [EVAPI_OWNER_LOCK]);
      await b.close();
      await locked;
      await fake.down();
      fake.hello = 'kamailio-2';
      await fake.listen();
      await waitFor(() => c.calls!.proxyInstance === 'kamailio-2', 'C sees the new instance');
      expect(owner(c)).toBe(false);
    } finally {
      await holder.end(); // the lock goes with the session
    }
    expect(await c.calls!.waitConnected(10_000)).toBe(true);
    await c.calls!.idle();

    // Its transaction died with the old Kamailio: ended as lost, not resumed as waiting.
    const row = (await callRow('call-2'))!;
    expect(row).toMatchObject({ state: 'ended', outcome: 'proxy_lost' });
    const abandoned = (await events('task.abandoned')).filter((e) => e.task_id === row.task_id);
    expect(abandoned.map((e) => e.data.reason)).toEqual(['proxy_lost']);
    await waitFor(() => fake.commandsFor(2).length > 0, 'a final answer for call 2');
    expect(fake.commandsFor(2)).toEqual([
      { tindex: 2, tlabel: 22, action: 'reply', code: 480, reason: 'No Agent Available' },
    ]);
    const owners = await events('telephony.owner_changed');
    expect(owners.at(-1)!.data).toMatchObject({ resumedCalls: 0, endedCalls: 1 });
  }, 30_000);
});
