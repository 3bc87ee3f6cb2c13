import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Invitation, type Session } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
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
  abandonedOf,
  callOf,
  evapiConnects,
} from '../../support/phone-lab.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startHub as startHubProcess, type Started } from '../../support/processes.js';
import { SipCaller } from '../../support/sip-caller.js';

const skipKamailio = requireKamailio();
const pgOk = requirePostgres('evapi gap and blip (PostgreSQL + Kamailio)');

/**
 * What Kamailio says while no hub acts on it is not lost: hub A (a child process) owns evapi,
 * hub B (here) is a standby on the same socket and buffers. A caller who hangs up in the gap
 * after A's SIGKILL is ended by B from its buffer. Then B's own socket blips (closed, Kamailio
 * untouched): Kamailio's hello carries the same instance id, so a waiting call goes on and is
 * routed; after a real Kamailio restart (new id) a waiting call is ended as lost with the proxy.
 */
describe.skipIf(skipKamailio || !pgOk)('evapi: no event lost in a takeover, blips kept', () => {
  let postgres: TestPostgres;
  let kamailio: TestKamailio;
  let hubA: Started;
  let hubB: RunningHub;
  let caller: SipCaller;
  let dir: string;
  let agent: { id: string; token: string; phone: Softphone; invitations: Invitation[] };

  const setState = (state: 'available' | 'paused') =>
    hubApi(hubB.url, '/api/v1/me/state', {
      method: 'PUT',
      token: agent.token,
      body: JSON.stringify(state === 'paused' ? { state, reason: 'break' } : { state }),
    });
  const callRow = (from: string) => callOf(hubB.ctx.db.query, from);
  const abandonedEvents = (callId: string) => abandonedOf(hubB.ctx.db.query, callId);
  const connects = () => evapiConnects(kamailio);

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase('evapigap');
    const portB = await freeTcpPort();
    kamailio = await startKamailio({
      hubUrl: `http://127.0.0.1:${portB}`,
      hubKey: TELEPHONY_KEY,
      logLevel: 2,
    });
    dir = mkdtempSync(join(tmpdir(), 'concierge-evapigap-'));
    hubA = await startHubProcess(dir, [
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
    ]);
    await waitFor(async () => (await hubHealth(hubA.url)).telephony.evapiOwner, 'A owns evapi');
    hubB = await startHub({
      port: portB,
      databaseUrl: url,
      scryptCost: 1024,
      routingSweepMs: 1000,
      timerPollMs: 100,
      // A wide ownerless gap after A's death: B tries for the lock every 2–2.5 s.
      telephony: {
        key: TELEPHONY_KEY,
        domain: kamailio.domain,
        wsUrl: kamailio.wsUrl,
        evapi: kamailio.evapi,
        ownerRetryMs: [2000, 2500],
      },
    });
    let id = '';
    await hubB.ctx.tx(async (q) => {
      await createQueue(q, defaultQueue(6));
      id = (
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
    const { token } = await hubApi<{ token: string }>(hubB.url, '/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'agent1', password: 'pw' }),
    });
    const sip = SipSettings.parse(await hubApi(hubB.url, '/api/v1/me/sip', { token }));
    const invitations: Invitation[] = [];
    const phone: Softphone = new Softphone({
      account: sip,
      sdhFactory: cannedSdhFactory,
      logger: quiet,
      reconnect: { baseMs: 100, maxMs: 1000 },
      onChange: (s) => {
        for (const c of s.calls) {
          if (c.direction !== 'in' || c.state !== 'incoming') continue;
          const inv = (phone as unknown as { calls: Map<string, { session: Session }> }).calls.get(
            c.id,
          )?.session as Invitation | undefined;
          if (!inv || invitations.includes(inv)) continue;
          invitations.push(inv);
          setTimeout(() => void phone.answer(c.id).catch(() => undefined), 20);
        }
      },
    });
    agent = { id, token, phone, invitations };
    await phone.start();
    await phone.waitRegistered(10_000);
    caller = new SipCaller(kamailio.wsUrl, kamailio.domain, '+48600000001');
    await caller.start();
    await waitFor(
      async () => (await hubHealth(hubB.url)).telephony.kamailioConnected,
      'B on evapi',
    );
  }, 90_000);

  afterAll(async () => {
    await caller?.stop();
    await agent?.phone.stop().catch(() => undefined);
    await hubB?.close();
    await hubA?.stop();
    await kamailio?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a CANCEL while no hub owns evapi ends the call on the next owner', async () => {
    // Nobody is available: the call waits on A.
    const call = caller.call('queue-orders', '+48600000001');
    await waitFor(async () => (await callRow('+48600000001'))?.state === 'waiting', 'waiting');
    const row = (await callRow('+48600000001'))!;

    hubA.child.kill('SIGKILL');
    await call.hangup(); // CANCEL, relayed by Kamailio to B only (A is gone, B not yet owner)
    // The CANCEL went out in the gap: B did not own evapi yet.
    expect((await hubHealth(hubB.url)).telephony.evapiOwner).toBe(false);

    await waitFor(async () => (await hubHealth(hubB.url)).telephony.evapiOwner, 'B owns', 8000);
    // B replayed the CANCEL: the suspended transaction gets its 487 from B.
    expect(await call.outcome).toBe(487);
    await waitFor(async () => (await callRow('+48600000001'))?.state === 'ended', 'ended', 5000);
    expect((await callRow('+48600000001'))?.outcome).toMatch(/^(short_)?abandoned$/);
    const abandoned = await abandonedEvents(row.call_id);
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]).toMatchObject({ channel: 'voice', ringing: false });
    expect(abandoned[0]).not.toHaveProperty('reason');
  }, 20_000);

  it("a blip of the owner's evapi socket keeps a waiting call; it is routed afterwards", async () => {
    const call = caller.call('queue-orders', '+48600000002');
    await waitFor(async () => (await callRow('+48600000002'))?.state === 'waiting', 'waiting');
    const before = connects();
    hubB.calls!.blipEvapi();
    await waitFor(() => connects() > before, 'B reconnected', 5000);
    await waitFor(async () => (await hubHealth(hubB.url)).telephony.kamailioConnected, 'B back');
    await new Promise((r) => setTimeout(r, 300)); // the hello is handled
    expect((await callRow('+48600000002'))?.state).toBe('waiting');

    await setState('available');
    expect(await call.outcome).toBe(200);
    expect(agent.invitations).toHaveLength(1);
    await call.hangup();
    await waitFor(async () => (await callRow('+48600000002'))?.state === 'ended', 'ended');
    expect((await callRow('+48600000002'))?.outcome).toBe('completed_caller');
    expect(await abandonedEvents((await callRow('+48600000002'))!.call_id)).toEqual([]);
  }, 20_000);

  it('after a Kamailio restart (new instance id) a waiting call is ended as lost', async () => {
    await hubApi(hubB.url, '/api/v1/me/wrap-up/end', {
      method: 'POST',
      token: agent.token,
      body: JSON.stringify({ topic: 'order status' }),
    }).catch(() => undefined);
    await setState('paused');
    caller.call('queue-orders', '+48600000003');
    await waitFor(async () => (await callRow('+48600000003'))?.state === 'waiting', 'waiting');
    await kamailio.restart();
    await waitFor(async () => (await callRow('+48600000003'))?.state === 'ended', 'ended', 8000);
    const row = (await callRow('+48600000003'))!;
    expect(row.outcome).toBe('proxy_lost');
    expect(await abandonedEvents(row.call_id)).toMatchObject([{ reason: 'proxy_lost' }]);
  }, 20_000);
});
