import { describe, expect, it } from 'vitest';
import { type HubEvent } from '../../shared/api/index.js';
import { type AgentProfile } from '../../shared/domain/index.js';
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
