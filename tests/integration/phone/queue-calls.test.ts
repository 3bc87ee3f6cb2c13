import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKamailio } from '../../support/kamailio.js';
import { startLab, waitFor, type Lab } from '../../support/phone-lab.js';
import { SipCaller } from '../../support/sip-caller.js';

const skip = requireKamailio();

describe.skipIf(skip)('queue calls through a real Kamailio', () => {
  let lab: Lab;
  let caller: SipCaller;

  beforeAll(async () => {
    lab = await startLab({ agents: 3, ringSeconds: 4 });
    caller = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600100200');
    await caller.start();
  }, 60_000);

  afterAll(async () => {
    await caller?.stop();
    await lab?.stop();
  });

  it('registers every agent', () => {
    for (const a of lab.agents) expect(a.state().registration).toBe('registered');
  });

  it('routes a queue call to the longest-idle available agent, who answers; BYE → wrap-up', async () => {
    const [a1, a2, a3] = lab.agents;
    // a2 becomes available first, then a3, then a1: a2 has been idle longest.
    await lab.setState(a2!, 'available');
    await new Promise((r) => setTimeout(r, 30));
    await lab.setState(a3!, 'available');
    await lab.setState(a1!, 'available');
    const call = caller.call('queue-orders');
    expect(await call.outcome).toBe(200);
    expect(a2!.invitations).toHaveLength(1);
    expect(a1!.invitations).toHaveLength(0);
    expect(a2!.invitations[0]!.request.getHeader('X-Queue')).toBe('orders');
    await waitFor(
      async () => (await lab.events(['offer.accepted'])).length === 1,
      'offer.accepted',
    );
    await call.hangup();
    await waitFor(
      async () => (await lab.events(['agent.wrap_up_started'])).some((e) => e.agentId === a2!.id),
      'wrap-up',
    );
    const done = (await lab.events(['task.completed'])).at(-1);
    void done;
    const types = (await lab.events()).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['task.queued', 'offer.created', 'offer.accepted', 'task.assigned']),
    );
  }, 30_000);
});
