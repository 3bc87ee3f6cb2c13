import { type SessionState } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type Work } from '../../shared/domain/work.js';
import { type RendererBridge } from '../bridge/index.js';
import { useAgentStore } from './agent-store.js';
import { useAppStore } from './app-store.js';
import { useConnectionStore } from './connection-store.js';
import { flushDrafts } from './draft-saver.js';
import { useOutboxStore } from './outbox-store.js';
import { useSessionStore } from './session-store.js';
import { useTicketStore } from './ticket-store.js';
import { useWorkStore } from './work-store.js';

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Main pushes changes as events and answers calls with snapshots. A snapshot requested before an
 * event arrived is older than that event, so it must not overwrite it (a `connection.get` answered
 * "connecting" and applied after the "online" event left the badge stuck on "connecting").
 */
const eventsSeen = { connection: 0, work: 0, outbox: 0, session: 0 };
type Topic = keyof typeof eventsSeen;
const seen = (topic: Topic) => eventsSeen[topic]++;
async function snapshot<T>(topic: Topic, fetch: () => Promise<T>, apply: (value: T) => void) {
  const before = eventsSeen[topic];
  const value = await fetch();
  if (eventsSeen[topic] === before) apply(value);
}

/**
 * Serve next: with no ticket open (or the open one gone from the agent's work), open one by
 * itself — the newest arrival if there is one, else the first in the list.
 */
function ensureOpenTicket(work: Work, arrived: string[]): void {
  const tickets = useTicketStore.getState();
  const ids = work.tickets.map((t) => t.id);
  if (tickets.openId && ids.includes(tickets.openId)) return;
  const next = arrived.filter((id) => ids.includes(id)).at(-1) ?? ids[0];
  if (next) void tickets.open(next);
  else if (tickets.openId) tickets.clear();
}

function applyWork(work: Work): void {
  const before = useWorkStore.getState();
  const known = new Set(before.work?.tickets.map((t) => t.id) ?? []);
  const arrived = before.work ? work.tickets.map((t) => t.id).filter((id) => !known.has(id)) : [];
  const stillThere = new Set(work.tickets.map((t) => t.id));
  const fresh = new Set([...before.fresh, ...arrived].filter((id) => stillThere.has(id)));
  useWorkStore.setState({ work, error: null, fresh });
  ensureOpenTicket(work, arrived);
}

async function loadWork(bridge: RendererBridge): Promise<void> {
  try {
    await snapshot('work', () => bridge.api.call('work.get', {}), applyWork);
  } catch (error) {
    useWorkStore.setState({
      error: error instanceof BridgeError ? error : new BridgeError('internal', message(error)),
    });
  }
}

/** Everything shown to a signed-in agent, loaded fresh (after sign-in or a transport reconnect). */
async function loadSignedIn(bridge: RendererBridge): Promise<void> {
  await Promise.allSettled([
    snapshot(
      'connection',
      () => bridge.api.call('connection.get', {}),
      (connection) => useConnectionStore.setState({ connection }),
    ),
    snapshot(
      'outbox',
      () => bridge.api.call('outbox.list', {}),
      ({ rows }) => useOutboxStore.setState({ rows }),
    ),
    loadWork(bridge),
  ]);
  await useTicketStore.getState().reload();
}

function resetSignedOut(): void {
  useWorkStore.setState({ work: null, error: null, fresh: new Set() });
  useTicketStore.getState().clear();
  useTicketStore.setState({ drafts: {} });
  useAgentStore.setState({ status: null, pending: null, error: null });
  useConnectionStore.setState({ connection: null });
  useOutboxStore.setState({ rows: [], viewOpen: false });
}

function applySession(session: SessionState): void {
  useSessionStore.setState({ session });
}

/** First load: what main is and whether someone is signed in. Retried from the start screen. */
export async function loadStart(bridge: RendererBridge): Promise<void> {
  useAppStore.setState({ startError: null });
  try {
    await Promise.all([
      bridge.api.call('app.info', {}).then((info) => useAppStore.setState({ info })),
      snapshot('session', () => bridge.api.call('session.get', {}), applySession),
    ]);
  } catch (error) {
    useAppStore.setState({ startError: message(error) });
  }
}

/** The window is being closed, reloaded or hidden: last chance to save what was typed. */
function onWindowClosing(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const onHidden = () => {
    if (document.visibilityState === 'hidden') listener();
  };
  window.addEventListener('beforeunload', listener);
  window.addEventListener('pagehide', listener);
  document.addEventListener('visibilitychange', onHidden);
  return () => {
    window.removeEventListener('beforeunload', listener);
    window.removeEventListener('pagehide', listener);
    document.removeEventListener('visibilitychange', onHidden);
  };
}

/** Subscribes the stores to main's events and keeps them in step; returns the unsubscribe. */
export function startSync(bridge: RendererBridge): () => void {
  const { api } = bridge;
  const unsubscribers = [
    api.on('session.changed', (session) => {
      seen('session');
      applySession(session);
    }),
    api.on('connection.changed', (connection) => {
      seen('connection');
      useConnectionStore.setState({ connection });
    }),
    api.on('agent.changed', (status) => useAgentStore.setState({ status })),
    api.on('work.changed', (work) => {
      seen('work');
      applyWork(work);
    }),
    api.on('ticket.changed', (detail) => useTicketStore.getState().applyChange(detail)),
    api.on('outbox.changed', ({ rows }) => {
      seen('outbox');
      useOutboxStore.setState({ rows });
    }),
    onWindowClosing(() => void flushDrafts()),

    // Whatever changed the session (login, logout, event, expiry), follow it here, once.
    useSessionStore.subscribe((state, previous) => {
      const now = state.session;
      const before = previous.session;
      if (now?.status === 'signed_in') {
        if (now.agentStatus) useAgentStore.setState({ status: now.agentStatus });
        if (before?.status !== 'signed_in' || before.agent.id !== now.agent.id) {
          if (before?.status === 'signed_in') resetSignedOut();
          void loadSignedIn(bridge);
        }
      } else if (now?.status === 'signed_out' && before?.status === 'signed_in') {
        resetSignedOut();
      }
    }),

    // Opening a ticket means the agent has seen it.
    useTicketStore.subscribe((state, previous) => {
      if (!state.openId || state.openId === previous.openId) return;
      const { fresh } = useWorkStore.getState();
      if (!fresh.has(state.openId)) return;
      const next = new Set(fresh);
      next.delete(state.openId);
      useWorkStore.setState({ fresh: next });
    }),

    // Browser mode: events may have been missed while the socket was down; reload everything.
    bridge.onTransportStatus((status) => {
      const before = useAppStore.getState().transport;
      useAppStore.setState({ transport: status });
      if (status !== 'open' || before === 'open') return;
      if (!useAppStore.getState().info || !useSessionStore.getState().session) {
        void loadStart(bridge);
        return;
      }
      void snapshot('session', () => api.call('session.get', {}), applySession)
        .then(() => {
          if (useSessionStore.getState().session?.status === 'signed_in')
            return loadSignedIn(bridge);
        })
        .catch(() => undefined); // the next drop or reconnect tries again
    }),
  ];
  useAppStore.setState({ transport: bridge.transportStatus() });
  void loadStart(bridge);
  return () => unsubscribers.forEach((off) => off());
}

/** Reloads the agent's work list (e.g. right after closing a ticket, before main's event arrives). */
export const refreshWork = (bridge: RendererBridge): Promise<void> => loadWork(bridge);
