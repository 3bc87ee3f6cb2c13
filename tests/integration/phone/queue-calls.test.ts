import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireKamailio } from '../../support/kamailio.js';
import { defaultQueue, EvapiTap, startLab, waitFor, type Lab } from '../../support/phone-lab.js';
import { SipCaller } from '../../support/sip-caller.js';

const skip = requireKamailio();

/**
 * Queue calls through a real Kamailio and the hub's routing engine. Agents are main-process
 * Softphones with a media-less SDH (the WebRTC media path is covered by tests/e2e/softphone.spec.ts).
 */
describe.skipIf(skip)('queue calls through a real Kamailio', () => {
  let lab: Lab;
  let caller: SipCaller;
  /** Kamailio's events as another evapi client sees them (ring ids echoed). */
  let tap: EvapiTap;

  beforeAll(async () => {
    lab = await startLab({
      agents: 3,
      queues: [
        defaultQueue(3),
        // Waits at most 1 s, then the caller gets a callback.
        { name: 'sales', channels: ['voice', 'callback'], priority: 5, maxWaitSeconds: 1 },
        // Never open.
        {
          name: 'night',
          channels: ['voice', 'callback'],
          priority: 1,
          businessHours: { timezone: 'UTC', weekly: {} },
        },
      ],
    });
    caller = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600100200');
    await caller.start();
    tap = await EvapiTap.connect(lab.kamailio.evapi);
  }, 60_000);

  afterAll(async () => {
    tap?.close();
    await caller?.stop();
    await lab?.stop();
  });

  beforeEach(async () => {
    for (const a of lab.agents) {
      a.mode = 'answer';
      await lab.setState(a, 'paused');
    }
  });

  const agentState = async (i: number) =>
    (
      await lab.api<{ status: { state: string; reason: string | null } }>('/api/v1/me', {
        token: lab.agents[i]!.token,
      })
    ).status;

  it('registers every agent with the HA1 the hub handed out', () => {
    for (const a of lab.agents) expect(a.state().registration).toBe('registered');
  });

  it('routes to the longest-idle available agent; answer → connected; caller BYE → wrap-up', async () => {
    const [a1, a2, a3] = lab.agents;
    await lab.setState(a2!, 'available');
    await new Promise((r) => setTimeout(r, 30));
    await lab.setState(a3!, 'available');
    await lab.setState(a1!, 'available');
    const before = a2!.invitations.length;
    const call = caller.call('queue-orders');
    expect(await call.outcome).toBe(200);
    expect(a2!.invitations.length).toBe(before + 1);
    expect(a2!.invitations.at(-1)!.request.getHeader('X-Queue')).toBe('orders');
    await waitFor(async () => (await agentState(1)).state === 'busy', 'agent2 busy');
    await call.hangup();
    await waitFor(async () => (await agentState(1)).state === 'wrap_up', 'agent2 in wrap-up');
    const wrap = (await lab.events(['agent.wrap_up_started'])).at(-1)!;
    expect(wrap.agentId).toBe(a2!.id);
    expect(wrap.data).toMatchObject({ hangupBy: 'caller', channel: 'voice' });
    const accepted = (await lab.events(['offer.accepted'])).at(-1)!;
    expect(accepted.agentId).toBe(a2!.id);
  }, 30_000);

  it('ring-no-answer: the next agent gets the call, the first is paused "missed offer"', async () => {
    const [a1, , a3] = lab.agents;
    a1!.mode = 'ignore';
    await lab.setState(a1!, 'available');
    await new Promise((r) => setTimeout(r, 30));
    await lab.setState(a3!, 'available');
    const t0 = Date.now();
    const call = caller.call('queue-orders');
    expect(await call.outcome).toBe(200);
    // Kamailio rang agent1 for the offer time minus the margin (3 s - 1 s), then agent3 answered.
    expect(Date.now() - t0).toBeGreaterThan(1500);
    const timedOut = (await lab.events(['offer.timed_out'])).at(-1)!;
    expect(timedOut.agentId).toBe(a1!.id);
    await waitFor(async () => (await agentState(0)).reason === 'missed_offer', 'agent1 paused');
    expect((await agentState(0)).state).toBe('paused');
    const accepted = (await lab.events(['offer.accepted'])).at(-1)!;
    expect(accepted.agentId).toBe(a3!.id);
    // Each ring's outcome carries the ring id the hub sent with it (the offer id).
    expect(tap.events('failed').at(-1)).toMatchObject({
      agent: a1!.login,
      ringId: timedOut.data.offerId,
      code: 408,
    });
    expect(tap.events('answered').at(-1)).toMatchObject({
      agent: a3!.login,
      ringId: accepted.data.offerId,
    });
    await call.hangup();
  }, 30_000);

  it('caller hangs up while waiting: abandoned, short or not by the queue threshold (2 s)', async () => {
    const quick = caller.call('queue-orders');
    await new Promise((r) => setTimeout(r, 400));
    await quick.hangup();
    expect(await quick.outcome).toBe(487);
    const slow = caller.call('queue-orders');
    await new Promise((r) => setTimeout(r, 2300));
    await slow.hangup();
    expect(await slow.outcome).toBe(487);
    await waitFor(async () => (await lab.events(['task.abandoned'])).length >= 2, 'two abandons');
    const [a, b] = (await lab.events(['task.abandoned'])).slice(-2);
    expect(a!.data).toMatchObject({ short: true, channel: 'voice' });
    expect(b!.data).toMatchObject({ short: false });
    expect(Number(b!.data.waitMs)).toBeGreaterThanOrEqual(2000);
  }, 30_000);

  it('maximum wait: the call ends and a callback task is queued for the number', async () => {
    const call = caller.call('queue-sales');
    expect(await call.outcome).toBe(480);
    await waitFor(
      async () =>
        (await lab.events(['task.queued'])).some(
          (e) => e.data.channel === 'callback' && e.data.reason === 'max_wait',
        ),
      'callback task',
    );
    expect((await lab.events(['task.timed_out'])).length).toBeGreaterThan(0);
  }, 30_000);

  it('after hours: refused at once, logged, callback task', async () => {
    const call = caller.call('queue-night');
    expect(await call.outcome).toBe(480);
    const after = (await lab.events(['queue.after_hours'])).at(-1)!;
    expect(after.data).toMatchObject({ channel: 'voice', from: '+48600100200' });
    const callbacks = (await lab.events(['task.queued'])).filter(
      (e) => e.data.reason === 'after_hours',
    );
    expect(callbacks).toHaveLength(1);
  }, 30_000);

  it('an unknown queue is refused (404)', async () => {
    expect(await caller.call('queue-nope').outcome).toBe(404);
  });

  it('Kamailio restart: every agent re-registers and calls route again', async () => {
    // A caller waiting in the queue (everyone paused) when Kamailio restarts: its transaction
    // dies with Kamailio, so the hub drops the call instead of offering a dead call later.
    const waiting = caller.call('queue-orders');
    await waitFor(
      async () =>
        (await lab.events(['task.queued'])).some(
          (e) => e.data.callId === waiting.inviter.request.callId,
        ),
      'waiting call queued',
    );
    await lab.kamailio.restart(500);
    await waitFor(
      () => lab.agents.every((a) => a.state().registration !== 'registered') || true,
      'drop',
    );
    await Promise.all(lab.agents.map((a) => a.phone.waitRegistered(15_000)));
    await lab.hub.calls!.waitConnected(5000);
    await waitFor(() => lab.hub.calls!.kamailioConnected, 'hub reconnected to evapi', 10_000);
    await waitFor(
      async () =>
        (await lab.events(['task.abandoned'])).some((e) => e.data.reason === 'proxy_lost'),
      'the lost call dropped',
    );
    const c = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600100201');
    await c.start();
    await lab.setState(lab.agents[2]!, 'available');
    const call = c.call('queue-orders');
    expect(await call.outcome).toBe(200);
    await call.hangup();
    await c.stop();
    // Nobody was paused for not answering a dead call.
    for (let i = 0; i < 3; i++) expect((await agentState(i)).reason).not.toBe('missed_offer');
  }, 40_000);
});
