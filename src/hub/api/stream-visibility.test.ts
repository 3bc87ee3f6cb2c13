import { describe, expect, it } from 'vitest';
import { type HubEvent } from '../../shared/api/index.js';
import { type AgentProfile } from '../../shared/domain/index.js';
import { StreamAudience } from './stream-audience.js';
import { StreamVisibility } from './stream-visibility.js';

const me: AgentProfile = {
  id: '00000000-0000-4000-8000-000000000001',
  login: 'a',
  name: 'A',
  roles: ['agent'],
};
const other = '00000000-0000-4000-8000-000000000002';
const t1 = '10000000-0000-4000-8000-000000000001';
const t2 = '10000000-0000-4000-8000-000000000002';
let id = 0;
function ev(type: HubEvent['type'], agentId: string | null, ticketId: string | null): HubEvent {
  return {
    id: ++id,
    type,
    occurredAt: new Date().toISOString(),
    agentId,
    ticketId,
    taskId: null,
    queueId: null,
    data: {},
  };
}

describe('stream visibility', () => {
  it('an agent sees their own events and their tickets, and follows reassignment', () => {
    const v = new StreamVisibility(me, new Set([t1]));
    expect(v.sees(ev('agent.state_changed', me.id, null))).toBe(true);
    expect(v.sees(ev('agent.state_changed', other, null))).toBe(false);
    expect(v.sees(ev('customer.created', null, null))).toBe(false);
    expect(v.sees(ev('message.received', null, t1))).toBe(true);
    expect(v.sees(ev('message.received', null, t2))).toBe(false);
    expect(v.sees(ev('ticket.assigned', me.id, t2))).toBe(true);
    expect(v.sees(ev('message.received', null, t2))).toBe(true);
    // t1 goes to someone else: the agent hears that once, then nothing more about it.
    expect(v.sees(ev('ticket.assigned', other, t1))).toBe(true);
    expect(v.sees(ev('message.received', null, t1))).toBe(false);
  });

  it('supervisors and admins see everything', () => {
    for (const role of ['supervisor', 'admin'] as const) {
      const v = new StreamVisibility({ ...me, roles: [role] }, new Set());
      expect(v.sees(ev('customer.created', null, null))).toBe(true);
      expect(v.sees(ev('agent.state_changed', other, null))).toBe(true);
    }
  });
});

const a = me.id;
const b = other;
const profile = (agentId: string, roles: AgentProfile['roles'] = ['agent']): AgentProfile => ({
  id: agentId,
  login: agentId.slice(-1),
  name: agentId.slice(-1),
  roles,
});

/** A stream as stream.ts wires it: a member whose visibility decides what it "sends". */
function stream(audience: StreamAudience, agent: AgentProfile, tickets: string[] = []) {
  const sent: HubEvent[] = [];
  const seen: { by?: StreamVisibility } = {};
  const member = audience.join(agent.id, (e) => {
    if (seen.by!.sees(e)) sent.push(e);
  });
  seen.by = new StreamVisibility(agent, new Set(tickets), member);
  member.receiveEverything(seen.by.everything);
  return { sent, member, types: () => sent.map((e) => `${e.type}:${e.ticketId ?? e.agentId}`) };
}

describe('stream audience', () => {
  it('hands an event only to the agent it names and to the streams watching its ticket', () => {
    const audience = new StreamAudience((err) => {
      throw err;
    });
    const heard: string[] = [];
    const ma = audience.join(a, (e) => heard.push(`a:${e.type}`));
    audience.join(b, (e) => heard.push(`b:${e.type}`));
    audience.publish(ev('agent.state_changed', a, null));
    audience.publish(ev('customer.created', null, null));
    audience.publish(ev('message.received', null, t1));
    expect(heard).toEqual(['a:agent.state_changed']);

    ma.watch(t1);
    audience.publish(ev('message.received', null, t1));
    audience.publish(ev('message.received', null, t2));
    ma.unwatch(t1);
    audience.publish(ev('message.received', null, t1));
    expect(heard).toEqual(['a:agent.state_changed', 'a:message.received']);

    ma.receiveEverything(true);
    audience.publish(ev('customer.created', null, null));
    // Named and watching at once: heard once.
    ma.watch(t2);
    audience.publish(ev('ticket.assigned', a, t2));
    ma.leave();
    audience.publish(ev('agent.state_changed', a, null));
    expect(heard.slice(2)).toEqual(['a:customer.created', 'a:ticket.assigned']);
    expect(audience.byAgent.has(a)).toBe(false);
    expect(audience.byTicket.size).toBe(0);
    expect(audience.everything.size).toBe(0);
  });

  it('streams get what a full fan-out would give them, through a reassignment', () => {
    const audience = new StreamAudience((err) => {
      throw err;
    });
    const sa = stream(audience, profile(a), [t1]);
    const sb = stream(audience, profile(b));
    const sup = stream(audience, profile('00000000-0000-4000-8000-00000000000c', ['supervisor']));
    const events = [
      ev('message.received', null, t1),
      ev('ticket.assigned', b, t1), // a hears that t1 went elsewhere, then nothing more of it
      ev('message.received', null, t1),
      ev('agent.state_changed', a, null),
      ev('ticket.unassigned', b, t1),
      ev('message.received', null, t1),
      ev('customer.created', null, null),
    ];
    for (const e of events) audience.publish(e);
    expect(sa.types()).toEqual([
      `message.received:${t1}`,
      `ticket.assigned:${t1}`,
      `agent.state_changed:${a}`,
    ]);
    expect(sb.types()).toEqual([
      `ticket.assigned:${t1}`,
      `message.received:${t1}`,
      `ticket.unassigned:${t1}`,
    ]);
    expect(sup.sent).toEqual(events);
    // The same events offered to every stream's visibility give the same result.
    const full = [profile(a), profile(b)].map((p, i) => {
      const v = new StreamVisibility(p, new Set(i === 0 ? [t1] : []));
      return events.filter((e) => v.sees(e));
    });
    expect([sa.sent, sb.sent]).toEqual(full);
  });

  it('a failing listener is reported and the others still hear the event', () => {
    const errors: unknown[] = [];
    const audience = new StreamAudience((err) => errors.push(err));
    const heard: string[] = [];
    audience.join(a, () => {
      throw new Error('socket gone');
    });
    audience.join(a, (e) => heard.push(e.type));
    audience.publish(ev('agent.state_changed', a, null));
    expect(heard).toEqual(['agent.state_changed']);
    expect(errors).toHaveLength(1);
  });
});
