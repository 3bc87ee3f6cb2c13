import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Invitation, type Session } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import { EVAPI_OWNER_LOCK } from '../../../src/hub/telephony/evapi-owner.js';
import { Softphone } from '../../../src/main/phone/softphone.js';
import { SipSettings } from '../../../src/shared/api/telephony.js';
import { cannedSdhFactory } from '../../support/canned-sdh.js';
import {
  freeTcpPort,
  requireKamailio,
  startKamailio,
  type TestKamailio,
} from '../../support/kamailio.js';
import {
  defaultQueue,
  hubApi,
  hubHealth,
  quiet,
  TELEPHONY_KEY,
  waitFor,
} from '../../support/phone-lab.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startHub as startHubProcess, type Started } from '../../support/processes.js';
import { SipCaller } from '../../support/sip-caller.js';

const skipKamailio = requireKamailio();
const pgOk = requirePostgres('telephony on two hubs (PostgreSQL + Kamailio)');

interface Agent {
  id: string;
  token: string;
  phone: Softphone;
  invitations: Invitation[];
  answer: boolean;
}

/**
 * Two hubs on one PostgreSQL and one real Kamailio. Hub A (a child process) starts first and owns
 * evapi; hub B (in this process) is a standby, connected to evapi but acting on nothing. A is
 * killed with SIGKILL while one call is connected and another waits: B takes the lock and
 * carries both calls on, and routes new ones.
 */
describe.skipIf(skipKamailio || !pgOk)('queue calls on two hubs sharing one PostgreSQL', () => {
  let postgres: TestPostgres;
  const pgUrl = () => postgres.url;
  let kamailio: TestKamailio;
  let hubA: Started;
  let hubB: RunningHub;
  let hubC: RunningHub | undefined;
  let telephony: NonNullable<Parameters<typeof startHub>[0]>['telephony'];
  let dbUrl = '';
  let caller: SipCaller;
  let dir: string;
  const agents: Agent[] = [];

  const setState = (a: Agent, state: 'available' | 'paused') =>
    fetch(new URL('/api/v1/me/state', hubB.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(state === 'paused' ? { state, reason: 'break' } : { state }),
    });
  const events = (type: string) =>
    hubB.ctx.db.query<{ agent_id: string | null; task_id: string; data: Record<string, unknown> }>(
      'select agent_id, task_id, data from events where type = $1 order by id',
      [type],
    );
  const callRow = async (from: string) =>
    (
      await hubB.ctx.db.query<{ state: string; outcome: string | null; agent_id: string | null }>(
        'select state, outcome, agent_id from calls where from_number = $1',
        [from],
      )
    )[0];
  /** Clients on Kamailio's evapi socket now, by its own log (the port probe at start included). */
  const evapiClients = () =>
    (kamailio.log().match(/evapi: hub connected/g) ?? []).length -
    (kamailio.log().match(/evapi: hub disconnected/g) ?? []).length;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase('multihub');
    dbUrl = url;
    const portB = await freeTcpPort();
    kamailio = await startKamailio({
      hubUrl: `http://127.0.0.1:${portB}`,
      hubKey: TELEPHONY_KEY,
      logLevel: 2,
    });
    const telephonyFlags = [
      '--database-url',
      url,
      '--telephony-key',
      TELEPHONY_KEY,
      '--kamailio-evapi',
      `${kamailio.evapi.host}:${kamailio.evapi.port}`,
      '--sip-domain',
      kamailio.domain,
      '--sip-ws-url',
      kamailio.wsUrl,
    ];
    dir = mkdtempSync(join(tmpdir(), 'concierge-multihub-'));
    hubA = await startHubProcess(dir, telephonyFlags);
    await waitFor(
      async () => (await hubHealth(hubA.url)).telephony.kamailioConnected,
      'A on evapi',
    );
    telephony = {
      key: TELEPHONY_KEY,
      domain: kamailio.domain,
      wsUrl: kamailio.wsUrl,
      evapi: kamailio.evapi,
      ownerRetryMs: [1000, 2000],
    };
    hubB = await startHub({
      port: portB,
      databaseUrl: url,
      scryptCost: 1024,
      routingSweepMs: 1000,
      timerPollMs: 100,
      telephony,
    });
    const ids: string[] = [];
    await hubB.ctx.tx(async (q) => {
      await createQueue(q, defaultQueue(6));
      for (let i = 1; i <= 3; i++) {
        const login = `agent${i}`;
        const r = await ensureAgent(
          q,
          { login, name: `Agent ${i}`, password: 'pw', roles: ['agent'], queues: ['orders'] },
          1024,
        );
        ids.push(r.id);
      }
    });
    for (let i = 1; i <= 3; i++) {
      const { token } = await hubApi<{ token: string }>(hubB.url, '/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ login: `agent${i}`, password: 'pw' }),
      });
      const sip = SipSettings.parse(await hubApi(hubB.url, '/api/v1/me/sip', { token }));
      const agent: Agent = {
        id: ids[i - 1]!,
        token,
        phone: undefined as never,
        invitations: [],
        answer: true,
      };
      agent.phone = new Softphone({
        account: sip,
        sdhFactory: cannedSdhFactory,
        logger: quiet,
        reconnect: { baseMs: 100, maxMs: 1000 },
        onChange: (s) => {
          for (const c of s.calls) {
            if (c.direction !== 'in' || c.state !== 'incoming') continue;
            const inv = (
              agent.phone as unknown as { calls: Map<string, { session: Session }> }
            ).calls.get(c.id)?.session as Invitation | undefined;
            if (!inv || agent.invitations.includes(inv)) continue;
            agent.invitations.push(inv);
            if (agent.answer)
              setTimeout(() => void agent.phone.answer(c.id).catch(() => undefined), 20);
          }
        },
      });
      agents.push(agent);
    }
    await Promise.all(agents.map((a) => a.phone.start()));
    await Promise.all(agents.map((a) => a.phone.waitRegistered(10_000)));
    caller = new SipCaller(kamailio.wsUrl, kamailio.domain, '+48500000001');
    await caller.start();
  }, 90_000);

  afterAll(async () => {
    await caller?.stop();
    await Promise.all(agents.map((a) => a.phone.stop().catch(() => undefined)));
    await hubC?.close();
    await hubB?.close();
    await hubA?.stop();
    await kamailio?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one hub holds evapi; after the owner is killed the standby carries its calls on', async () => {
    const [a1, a2, a3] = agents as [Agent, Agent, Agent];
    // Both are connected to Kamailio (B buffers what it hears); only A owns, B keeps trying.
    await new Promise((r) => setTimeout(r, 2500));
    const [hA, hB] = [await hubHealth(hubA.url), await hubHealth(hubB.url)];
    expect(hA.telephony).toMatchObject({ evapiOwner: true, kamailioConnected: true });
    expect(hB.telephony).toMatchObject({ evapiOwner: false, kamailioConnected: true });
    expect(evapiClients()).toBe(2);

    // A routes a call: agent1 answers.
    await setState(a1, 'available');
    const connected = caller.call('queue-orders', '+48500000001');
    expect(await connected.outcome).toBe(200);
    expect(a1.invitations).toHaveLength(1);
    await waitFor(async () => (await callRow('+48500000001'))?.state === 'connected', 'connected');
    // A second caller waits: nobody else is available.
    const waiting = caller.call('queue-orders', '+48500000002');
    await waitFor(async () => (await callRow('+48500000002'))?.state === 'waiting', 'waiting');

    // The owner dies. PostgreSQL drops its connections and with them the lock.
    const killedAt = Date.now();
    hubA.child.kill('SIGKILL');
    await waitFor(
      async () => (await hubHealth(hubB.url)).telephony.evapiOwner,
      'B owns evapi',
      8000,
    );
    const takeoverMs = Date.now() - killedAt;
    console.log(`evapi takeover after SIGKILL: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(5000);
    await waitFor(() => evapiClients() === 1, 'A gone from evapi, B on it', 2000);
    expect(evapiClients()).toBe(1);

    // The waiting call was Kamailio's all along: it rings agent2 as soon as agent2 is available.
    await setState(a2, 'available');
    expect(await waiting.outcome).toBe(200);
    expect(a2.invitations).toHaveLength(1);
    await waitFor(async () => (await callRow('+48500000002'))?.state === 'connected', 'resumed');

    // The connected call's hang-up reaches B: agent1 goes to wrap-up, the caller hung up.
    await connected.hangup();
    await waitFor(async () => (await callRow('+48500000001'))?.state === 'ended', 'call 1 ended');
    const wrap = (await events('agent.wrap_up_started')).find((e) => e.agent_id === a1.id);
    expect(wrap?.data).toMatchObject({ hangupBy: 'caller', channel: 'voice' });
    expect((await callRow('+48500000001'))?.outcome).toBe('completed_caller');

    // A new call is routed by B.
    await setState(a3, 'available');
    const fresh = caller.call('queue-orders', '+48500000003');
    expect(await fresh.outcome).toBe(200);
    expect(a3.invitations).toHaveLength(1);
    await fresh.hangup();
    await waiting.hangup();
    await waitFor(async () => (await callRow('+48500000003'))?.state === 'ended', 'call 3 ended');
    await waitFor(async () => (await callRow('+48500000002'))?.state === 'ended', 'call 2 ended');

    // Every call was answered once: nobody missed an offer or was rung twice.
    expect(await events('offer.timed_out')).toEqual([]);
    expect((await events('offer.accepted')).map((e) => e.agent_id)).toEqual([a1.id, a2.id, a3.id]);
    const owners = (await events('telephony.owner_changed')).map((e) => e.data);
    expect(owners).toHaveLength(2);
    expect(owners[1]).toMatchObject({
      hubId: (await hubHealth(hubB.url)).telephony.hubId,
      previousHubId: owners[0]!.hubId,
      resumedCalls: 2,
      endedCalls: 0,
    });
  }, 60_000);

  it('an owner cut off from the database steps down; a call ringing meanwhile is carried on by the next owner', async () => {
    const [a1, a2] = agents as [Agent, Agent, Agent];
    hubC = await startHub({
      databaseUrl: dbUrl,
      scryptCost: 1024,
      routingSweepMs: 1000,
      timerPollMs: 100,
      telephony,
    });
    const endWrap = (a: Agent) =>
      hubApi(hubB.url, '/api/v1/me/wrap-up/end', {
        method: 'POST',
        token: a.token,
        body: JSON.stringify({ topic: 'order status' }),
      });
    a1.answer = false;
    await endWrap(a1);
    await setState(a1, 'available');
    const call = caller.call('queue-orders', '+48500000004');
    await waitFor(() => a1.invitations.length === 2, 'agent1 rings', 5000);

    // B's lock connection is closed under it (as a network cut would): B must stop handling calls.
    const admin = new pg.Client({ connectionString: pgUrl() });
    await admin.connect();
    await admin.query(
      `select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and objid = $1 and granted`,
      [EVAPI_OWNER_LOCK],
    );
    await admin.end();
    await waitFor(
      async () => !(await hubHealth(hubB.url)).telephony.evapiOwner,
      'B steps down',
      3000,
    );
    await waitFor(
      async () => (await hubHealth(hubC!.url)).telephony.evapiOwner,
      'C owns evapi',
      5000,
    );

    // Kamailio's ring runs out (nobody answers) and reports to C: a missed offer, as on one hub.
    await waitFor(
      async () => (await events('offer.timed_out')).some((e) => e.agent_id === a1.id),
      'the missed offer',
      10_000,
    );
    const me = await hubApi<{ status: { state: string; reason: string | null } }>(
      hubB.url,
      '/api/v1/me',
      { token: a1.token },
    );
    expect(me.status).toMatchObject({ state: 'paused', reason: 'missed_offer' });
    // The call was still Kamailio's: agent2 gets it.
    await endWrap(a2);
    await setState(a2, 'available');
    expect(await call.outcome).toBe(200);
    expect(a2.invitations).toHaveLength(2);
    await call.hangup();
    await waitFor(async () => (await callRow('+48500000004'))?.state === 'ended', 'call 4 ended');
    expect((await callRow('+48500000004'))?.outcome).toBe('completed_caller');
    // B stayed on evapi as a standby (it buffers), acting on nothing.
    expect(evapiClients()).toBe(2);
    expect((await hubHealth(hubB.url)).telephony.evapiOwner).toBe(false);
  }, 45_000);
});
