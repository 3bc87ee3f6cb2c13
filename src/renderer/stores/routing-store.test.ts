import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridgeClient, type RawBridge } from '../../shared/bridge/client.js';
import { type BridgeEnvelope } from '../../shared/bridge/errors.js';
import { type WrapUp } from '../../shared/bridge/routing.js';
import { type Queue } from '../../shared/domain/queue.js';
import { type TicketSummary } from '../../shared/domain/ticket.js';
import { installBridge, type RendererBridge } from '../bridge/index.js';
import { startRouting } from '../features/routing/start-routing.js';
import { useAgentStore } from './agent-store.js';
import { useRoutingStore } from './routing-store.js';
import { useSessionStore } from './session-store.js';
import { useTicketStore } from './ticket-store.js';

const AGENT = '0b9f5d1e-3c1a-4a8e-9d57-6f1f2a3b4c5d';
const QUEUE = 'd4444444-4444-4444-8444-444444444444';
const TICKET = 'a1111111-1111-4111-8111-111111111111';
const TASK = 'b2222222-2222-4222-8222-222222222222';
const OFFER = 'c3333333-3333-4333-8333-333333333333';
const at = '2026-11-22T09:00:00.000Z';

const queue = (settings: Partial<Queue>): Queue => ({
  id: QUEUE,
  name: 'care',
  channels: ['chat'],
  priority: 0,
  topicRequired: true,
  topics: ['solved', 'escalated'],
  wrapUpSeconds: 0,
  mode: 'push',
  ...settings,
});
const ticket: TicketSummary = {
  id: TICKET,
  number: 7,
  subject: 'Where is my parcel?',
  status: 'open',
  channel: 'chat',
  queueId: QUEUE,
  customerId: '7e2d6c1b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  customerName: 'Olga',
  assigneeId: AGENT,
  version: 2,
  createdAt: at,
  updatedAt: at,
};
const task = {
  id: TASK,
  ticketId: TICKET,
  queueId: QUEUE,
  channel: 'chat',
  status: 'completed',
  priority: 0,
  agentId: AGENT,
  createdAt: at,
  topic: 'solved',
};
const status = (state: string, wrapUpUntil: string | null = null) => ({
  agentId: AGENT,
  state,
  reason: null,
  since: at,
  wrapUpUntil,
});
const wrapUp = (until: string): NonNullable<WrapUp> => ({
  taskId: TASK,
  ticketId: TICKET,
  queueId: QUEUE,
  queueName: 'care',
  startedAt: at,
  until,
  extended: false,
  topicRequired: true,
  topics: ['solved'],
});

/** main, played in memory: records calls, answers the routing ones, lets the test push events. */
function fakeMain(queues: Queue[]) {
  const calls: { name: string; payload: unknown }[] = [];
  const listeners = new Set<(name: string, payload: unknown) => void>();
  let currentWrapUp: WrapUp = null;
  const ok = (value: unknown): BridgeEnvelope => ({ ok: true, value });
  const answer = (name: string): BridgeEnvelope => {
    switch (name) {
      case 'queues.list':
        return ok(queues);
      case 'pauseReasons.list':
        return ok([{ code: 'lunch', label: 'Lunch', system: false, enabled: true }]);
      case 'wrapUp.get':
        return ok(currentWrapUp);
      case 'tasks.complete':
        return ok({ task, status: status('available') });
      case 'offers.accept':
        return ok({ task: { ...task, status: 'assigned', topic: null }, ticket });
      case 'tickets.get':
        return ok({
          ticket,
          customer: { id: ticket.customerId, name: 'Olga', email: null, phone: null },
          messages: [],
        });
      default:
        return { ok: false, error: { code: 'unknown_call', message: name } };
    }
  };
  const raw: RawBridge = {
    invoke: async (name, payload) => {
      calls.push({ name, payload });
      return answer(name);
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    calls,
    setWrapUp: (w: WrapUp) => (currentWrapUp = w),
    emit: (name: string, payload: unknown) => listeners.forEach((l) => l(name, payload)),
    bridge: {
      api: createBridgeClient(raw),
      kind: 'web',
      transportStatus: () => 'open',
      onTransportStatus: () => () => undefined,
    } satisfies RendererBridge,
  };
}

const settle = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

let stop: () => void = () => undefined;
beforeEach(() => {
  useRoutingStore.getState().reset();
  useSessionStore.setState({ session: null });
  useAgentStore.setState({ status: null });
  useTicketStore.setState({ openId: null, detail: null });
});
afterEach(() => stop());

function start(queues: Queue[]) {
  const main = fakeMain(queues);
  installBridge(main.bridge);
  stop = startRouting(main.bridge);
  useSessionStore.setState({
    session: {
      status: 'signed_in',
      hubUrl: 'http://127.0.0.1:7700',
      agent: { id: AGENT, login: 'agent1', name: 'Anna', roles: ['agent'] },
      agentStatus: null,
    },
  });
  return main;
}

describe('routing in the renderer', () => {
  it('loads queues and the hub’s pause reasons on sign-in', async () => {
    start([queue({})]);
    await settle(() => useRoutingStore.getState().queues.length === 1);
    expect(useRoutingStore.getState().pauseReasons.map((r) => r.code)).toEqual(['lunch']);
  });

  it('asks for the topic before Close where the queue needs one and has no wrap-up', async () => {
    const main = start([queue({})]);
    await settle(() => useRoutingStore.getState().queues.length === 1);
    const store = useRoutingStore.getState();

    expect(await store.completeBeforeClose(ticket)).toBe(false);
    expect(useRoutingStore.getState().closeTopicProblem).toEqual({ ticketId: TICKET, error: null });
    expect(main.calls.some((c) => c.name === 'tasks.complete')).toBe(false);

    store.setCloseTopic(TICKET, 'solved');
    expect(useRoutingStore.getState().closeTopicProblem).toBeNull();
    expect(await useRoutingStore.getState().completeBeforeClose(ticket)).toBe(true);
    expect(main.calls.find((c) => c.name === 'tasks.complete')?.payload).toEqual({
      ticketId: TICKET,
      topic: 'solved',
    });
  });

  it('leaves Close alone where the wrap-up asks for the topic', async () => {
    const main = start([queue({ wrapUpSeconds: 60 })]);
    await settle(() => useRoutingStore.getState().queues.length === 1);
    expect(await useRoutingStore.getState().completeBeforeClose(ticket)).toBe(true);
    expect(main.calls.some((c) => c.name === 'tasks.complete')).toBe(false);
  });

  it('opens the ticket of an accepted offer', async () => {
    const main = start([queue({})]);
    await useRoutingStore.getState().accept(OFFER);
    expect(main.calls.find((c) => c.name === 'offers.accept')?.payload).toEqual({
      offerId: OFFER,
    });
    await settle(() => useTicketStore.getState().detail?.ticket.id === TICKET);
  });

  it('follows the wrap-up from main and drops it when the hub’s status leaves wrap-up', async () => {
    const main = start([queue({})]);
    const until = '2026-11-22T09:02:00.000Z';
    main.emit('wrapUp.changed', wrapUp(until));
    await settle(() => useRoutingStore.getState().wrapUp?.until === until);

    // A status with a later deadline (extended elsewhere): the wrap-up is read again.
    const later = '2026-11-22T09:04:00.000Z';
    main.setWrapUp({ ...wrapUp(later), extended: true });
    useAgentStore.setState({ status: status('wrap_up', later) as never });
    await settle(() => useRoutingStore.getState().wrapUp?.extended === true);

    useAgentStore.setState({ status: status('available') as never });
    expect(useRoutingStore.getState().wrapUp).toBeNull();
  });
});
