import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridgeClient, type RawBridge } from '../../shared/bridge/client.js';
import { type BridgeEnvelope } from '../../shared/bridge/errors.js';
import { type TicketDetail, type TicketSummary } from '../../shared/domain/ticket.js';
import { installBridge, type RendererBridge } from '../bridge/index.js';
import { useAgentStore } from './agent-store.js';
import { useConnectionStore } from './connection-store.js';
import { useSessionStore } from './session-store.js';
import { startSync } from './sync.js';
import { useTicketStore } from './ticket-store.js';
import { useWorkStore } from './work-store.js';

const AGENT = '0b9f5d1e-3c1a-4a8e-9d57-6f1f2a3b4c5d';
const CUSTOMER = '7e2d6c1b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const ids = [
  'a1111111-1111-4111-8111-111111111111',
  'b2222222-2222-4222-8222-222222222222',
  'c3333333-3333-4333-8333-333333333333',
] as const;
const at = '2026-11-22T09:00:00.000Z';

const summary = (id: string, number: number): TicketSummary => ({
  id,
  number,
  subject: `Ticket ${number}`,
  status: 'open',
  channel: 'email',
  queueId: null,
  customerId: CUSTOMER,
  customerName: 'Katarzyna Nowak',
  assigneeId: AGENT,
  version: 1,
  createdAt: at,
  updatedAt: at,
});
const detailOf = (t: TicketSummary): TicketDetail => ({
  ticket: t,
  customer: { id: CUSTOMER, name: 'Katarzyna Nowak', email: 'k@example.pl', phone: null },
  messages: [],
});

/** main, played in memory: answers calls from `tickets` and lets the test push events. */
function fakeMain(initial: TicketSummary[]) {
  const tickets = new Map(initial.map((t) => [t.id, detailOf(t)]));
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const calls: string[] = [];
  const drafts = new Map<string, string>();
  let failReplies = false;
  let connectionStatus: 'connecting' | 'online' = 'online';
  let workGate: Promise<void> | null = null;
  const ok = (value: unknown): BridgeEnvelope => ({ ok: true, value });
  const answer = (name: string, payload: Record<string, string>): BridgeEnvelope => {
    switch (name) {
      case 'app.info':
        return ok({ version: '0.1.0', transport: 'web', defaultHubUrl: null, platform: 'test' });
      case 'session.get':
        return ok({
          status: 'signed_in',
          hubUrl: 'http://127.0.0.1:7700',
          agent: { id: AGENT, login: 'agent1', name: 'Anna', roles: ['agent'] },
          agentStatus: { agentId: AGENT, state: 'available', reason: null, since: at },
        });
      case 'connection.get':
        return ok({
          status: connectionStatus,
          hubUrl: 'http://127.0.0.1:7700',
          lastError: null,
          since: at,
        });
      case 'work.get':
        return ok({ offers: [], tickets: [...tickets.values()].map((d) => d.ticket) });
      case 'tickets.get': {
        const detail = tickets.get(payload.ticketId ?? '');
        return detail ? ok(detail) : { ok: false, error: { code: 'not_found', message: 'gone' } };
      }
      case 'outbox.send': {
        if (failReplies) return { ok: false, error: { code: 'internal', message: 'disk full' } };
        drafts.delete(payload.ticketId ?? '');
        return ok({
          id: 'e5555555-5555-4555-8555-555555555555',
          ticketId: payload.ticketId,
          ticketNumber: 1,
          ticketSubject: 'Ticket 1',
          text: payload.text,
          baseVersion: 1,
          state: 'pending',
          attempts: 0,
          createdAt: at,
          updatedAt: at,
          deliveredAt: null,
          nextAttemptAt: null,
          lastError: null,
          conflict: null,
        });
      }
      case 'drafts.get':
        return ok({
          ticketId: payload.ticketId,
          text: drafts.get(payload.ticketId ?? '') ?? '',
          updatedAt: null,
        });
      case 'drafts.save':
        drafts.set(payload.ticketId ?? '', payload.text ?? '');
        return ok({ ticketId: payload.ticketId, text: payload.text, updatedAt: at });
      case 'outbox.list':
        return ok({ rows: [] });
      default:
        return { ok: false, error: { code: 'unknown_call', message: name } };
    }
  };
  const raw: RawBridge = {
    invoke: async (name, payload) => {
      calls.push(name);
      // The answer is what main had when the call arrived, however late it is delivered.
      const answered = answer(name, payload as Record<string, string>);
      if (name === 'work.get' && workGate) await workGate;
      return answered;
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    tickets,
    calls,
    drafts,
    failReplies: (fail: boolean) => (failReplies = fail),
    setConnectionStatus: (status: 'connecting' | 'online') => (connectionStatus = status),
    /** Holds every work.get answer until the returned release is called. */
    holdWork() {
      let release = () => undefined as void;
      workGate = new Promise<void>((r) => (release = r));
      return () => {
        workGate = null;
        release();
      };
    },
    emit(name: string, payload: unknown) {
      for (const l of listeners) l(name, payload);
    },
    /** Assigns (or removes) tickets and tells the renderer, as main does on hub events. */
    setWork(list: TicketSummary[]) {
      tickets.clear();
      for (const t of list) tickets.set(t.id, detailOf(t));
      for (const l of listeners) l('work.changed', { offers: [], tickets: list });
    },
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
  useSessionStore.setState({ session: null });
  useWorkStore.setState({ work: null, error: null, fresh: new Set() });
  useTicketStore.setState({ openId: null, detail: null, drafts: {}, sendError: null });
  useAgentStore.setState({ status: null });
  useConnectionStore.setState({ connection: null });
});
afterEach(() => stop());

function start(initial: TicketSummary[], before?: (main: ReturnType<typeof fakeMain>) => void) {
  const main = fakeMain(initial);
  before?.(main);
  installBridge(main.bridge);
  stop = startSync(main.bridge);
  return main;
}

describe('serve next in the renderer', () => {
  it('opens a newly assigned ticket by itself when none is open', async () => {
    const main = start([]);
    await settle(() => useWorkStore.getState().work !== null);
    expect(useTicketStore.getState().openId).toBeNull();

    main.setWork([summary(ids[0], 1)]);
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[0]);
    expect(useTicketStore.getState().detail?.ticket.subject).toBe('Ticket 1');
  });

  it('keeps the open ticket when another arrives, and marks the newcomer as new', async () => {
    const main = start([summary(ids[0], 1)]);
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[0]);

    main.setWork([summary(ids[0], 1), summary(ids[1], 2)]);
    await settle(() => useWorkStore.getState().work?.tickets.length === 2);
    expect(useTicketStore.getState().openId).toBe(ids[0]);
    expect([...useWorkStore.getState().fresh]).toEqual([ids[1]]);
  });

  it('moves to the next ticket when the open one leaves the work list', async () => {
    const main = start([summary(ids[0], 1), summary(ids[1], 2)]);
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[0]);

    main.setWork([summary(ids[1], 2), summary(ids[2], 3)]);
    // The newest arrival wins over the older ticket that was already waiting.
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[2]);
  });
});

describe('snapshots and events', () => {
  it('keeps the "online" event that arrives while the sign-in snapshot is still loading', async () => {
    let releaseWork = () => undefined as void;
    const main = start([], (m) => {
      m.setConnectionStatus('connecting');
      releaseWork = m.holdWork();
    });
    await settle(() => main.calls.includes('connection.get') && main.calls.includes('work.get'));
    // main answered "connecting"; then the stream became ready and main said so.
    main.emit('connection.changed', {
      status: 'online',
      hubUrl: 'http://127.0.0.1:7700',
      lastError: null,
      since: at,
    });
    releaseWork();
    await settle(() => useWorkStore.getState().work !== null);
    await new Promise((r) => setTimeout(r, 20));
    expect(useConnectionStore.getState().connection?.status).toBe('online');
  });

  it('ignores a work snapshot older than a work event that arrived meanwhile', async () => {
    let releaseWork = () => undefined as void;
    const main = start([summary(ids[0], 1)], (m) => {
      releaseWork = m.holdWork();
    });
    await settle(() => main.calls.includes('work.get'));
    main.setWork([summary(ids[0], 1), summary(ids[1], 2)]);
    releaseWork();
    await new Promise((r) => setTimeout(r, 20));
    expect(useWorkStore.getState().work?.tickets.map((t) => t.id)).toEqual([ids[0], ids[1]]);
  });
});

describe('replying', () => {
  it('saves the draft as the agent types and restores it when the ticket is opened again', async () => {
    const main = start([summary(ids[0], 1), summary(ids[1], 2)]);
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[0]);
    useTicketStore.getState().setDraft(ids[0], 'Dzień dobry,  ');
    await settle(() => main.drafts.get(ids[0]) === 'Dzień dobry,  ');

    // A fresh renderer (reload) has no drafts in memory: opening the ticket brings it back.
    useTicketStore.setState({ drafts: {} });
    await useTicketStore.getState().open(ids[1]);
    await useTicketStore.getState().open(ids[0]);
    await settle(() => useTicketStore.getState().drafts[ids[0]] === 'Dzień dobry,  ');
  });

  it('queues the reply in the outbox and clears the composer; a failure keeps the text', async () => {
    const main = start([summary(ids[0], 1)]);
    await settle(() => useTicketStore.getState().detail?.ticket.id === ids[0]);
    useTicketStore.getState().setDraft(ids[0], 'Dzień dobry, sprawdzam.');

    main.failReplies(true);
    expect(await useTicketStore.getState().sendReply()).toBe(false);
    expect(useTicketStore.getState().sendError?.code).toBe('internal');
    expect(useTicketStore.getState().drafts[ids[0]]).toBe('Dzień dobry, sprawdzam.');

    main.failReplies(false);
    expect(await useTicketStore.getState().sendReply()).toBe(true);
    expect(useTicketStore.getState().sendError).toBeNull();
    expect(useTicketStore.getState().drafts[ids[0]]).toBe('');
    expect(main.calls.filter((c) => c === 'outbox.send')).toHaveLength(2);
    // The debounced save of the sent text must not bring the draft back afterwards.
    await new Promise((r) => setTimeout(r, 300));
    expect(main.drafts.get(ids[0]) ?? '').toBe('');
  });
});
