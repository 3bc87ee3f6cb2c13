import {
  type AppInfo,
  type EventName,
  type OutboxRow,
  type OutboxSnapshot,
} from '../shared/bridge/contract.js';
import { type BridgeHandlers } from '../shared/bridge/server.js';
import { type TicketDetail } from '../shared/domain/index.js';
import { BridgeError } from '../shared/bridge/errors.js';
import { openCache, type Cache } from './cache/cache.js';
import { EventBus } from './event-bus.js';
import { type Logger } from './logger.js';
import { type Notifier } from './notifier.js';
import { PhoneService } from './phone/phone-service.js';
import { type PhoneCall } from '../shared/bridge/phone.js';
import {
  OutboxDelivery,
  type DeliveryBackoff,
  type DeliveryClock,
  type OutboxDeliveryDeps,
} from './outbox/delivery.js';
import { type OutboxScope } from './outbox/outbox-repository.js';
import { openUserData, type UserData } from './outbox/user-data.js';
import { uuidv7 } from './outbox/uuid-v7.js';
import { RoutingDirectory } from './routing/directory.js';
import { routingHandlers } from './routing/handlers.js';
import { TaskIndex } from './routing/task-index.js';
import { WrapUpTracker } from './routing/wrap-up.js';
import { type SecretStore } from './session/secret-store.js';
import { type ActiveSession, SessionManager } from './session/session-manager.js';
import { HubClient } from './sync/hub-client.js';
import { Presence } from './sync/presence.js';
import { WorkSync } from './sync/work-sync.js';
import { type BackoffOptions } from './util/backoff.js';

export { type Notifier } from './notifier.js';
export { type EventListener } from './event-bus.js';

export interface OutboxOptions {
  backoff?: DeliveryBackoff;
  concurrency?: number;
  clock?: DeliveryClock;
  /** Fault injection for crash tests (after the attempt is recorded, before the request). */
  beforeSend?: OutboxDeliveryDeps['beforeSend'];
}

export interface ServicesDeps {
  /** Directory of the cache and user-data databases, or ':memory:' (tests). */
  dataDir: string;
  secrets: SecretStore;
  notifier: Notifier;
  app: Omit<AppInfo, 'defaultHubUrl'>;
  /**
   * The hub the login screen suggests (the local demo hub, or the configured one). A promise lets
   * the shell open its window while the demo hub is still starting.
   */
  defaultHubUrl: string | null | Promise<string | null>;
  logger: Logger;
  fetch?: typeof fetch;
  /** An incoming call starts (call) or stops (null) ringing: the shell draws attention. */
  onRing?(call: PhoneCall | null): void;
  /** Timeout of ordinary hub requests. */
  requestTimeoutMs?: number;
  /** How long `tickets.reply` waits for the outbox to deliver before answering "queued". */
  replyWaitMs?: number;
  outbox?: OutboxOptions;
  streamBackoff?: BackoffOptions;
  streamHeartbeatMs?: number;
  /** First presence heartbeat interval (the hub's answer sets the next ones). */
  presenceIntervalMs?: number;
}

export interface Services {
  handlers: BridgeHandlers;
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
  /** Opens the databases and restores the saved session in the background (nothing slow). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The OS says the network or the machine is back (resume from sleep): reconnect now. */
  reconnectNow(): void;
}

const scopeOf = (session: ActiveSession): OutboxScope => ({
  hubUrl: session.hubUrl,
  agentId: session.stored.agent.id,
});

/**
 * The main-process services behind the bridge, wired together: cache, user data (drafts and
 * outbox), session, sync, outbox delivery, presence. Plain Node: the Electron shell and the web
 * host both run exactly this.
 */
export function createServices(deps: ServicesDeps): Services {
  let cache: Cache | null = null;
  let userData: UserData | null = null;
  const db = (): Cache => {
    if (!cache) throw new BridgeError('internal', 'the services are not started');
    return cache;
  };
  const ud = (): UserData => {
    if (!userData) throw new BridgeError('internal', 'the services are not started');
    return userData;
  };
  const events = new EventBus(deps.logger);
  const phone = new PhoneService({
    secrets: deps.secrets,
    logger: deps.logger,
    emitState: (state) => events.emit('phone.changed', state),
    emitMedia: (request) => events.emit('phone.media', request),
    onRing: deps.onRing,
    fetch: deps.fetch,
    callHistory: () => cache?.callHistory ?? null,
  });
  // eslint-disable-next-line prefer-const -- assigned after the session manager that refers to it
  let sync: WorkSync;
  // eslint-disable-next-line prefer-const -- idem
  let delivery: OutboxDelivery;
  // eslint-disable-next-line prefer-const -- idem
  let presence: Presence;
  const sessions = new SessionManager({
    cache: db,
    secrets: deps.secrets,
    events,
    logger: deps.logger,
    createClient: (hubUrl, token = null) =>
      new HubClient({
        baseUrl: hubUrl,
        token,
        timeoutMs: deps.requestTimeoutMs ?? 10_000,
        fetch: deps.fetch,
      }),
    onStart: (session) => {
      sync.start(session);
      phone.start({
        hubUrl: session.hubUrl,
        token: session.token,
        agentId: session.stored.agent.id,
      });
      delivery.start(scopeOf(session), session.client);
      presence.start(session.client);
      emitOutbox();
    },
    onEnd: () => {
      void sync.stop();
      void phone.stop({ forget: true });
      void delivery.stop();
      presence.stop();
      events.emit('connection.changed', sync.connection());
    },
  });
  const hubError = (error: unknown) => sessions.handleHubError(error);
  const endSession = (error: BridgeError) => {
    sessions.handleHubError(error).catch(() => undefined);
  };

  const directory = new RoutingDirectory({ cache: db, sessions });
  const wrapUps = new WrapUpTracker({ cache: db, sessions, events, directory });
  const tasks = new TaskIndex(db);
  sync = new WorkSync({
    cache: db,
    sessions,
    events,
    onHubEvent: async (session, event) => {
      tasks.onHubEvent(session, event);
      await wrapUps.onHubEvent(session, event);
    },
    notifier: deps.notifier,
    logger: deps.logger,
    streamBackoff: deps.streamBackoff,
    streamHeartbeatMs: deps.streamHeartbeatMs,
    onOnline: () => {
      delivery.kick();
      presence.beatNow();
    },
    extraWorkingSet: (session) => [
      ...new Set(
        ud()
          .outbox.list(scopeOf(session))
          .filter((r) => r.state !== 'delivered')
          .map((r) => r.ticketId),
      ),
    ],
  });

  presence = new Presence({
    logger: deps.logger,
    intervalMs: deps.presenceIntervalMs,
    onUnauthorized: endSession,
  });

  // outbox.changed carries the whole (small) outbox: coalesced so a burst of deliveries is one event.
  let outboxTimer: NodeJS.Timeout | null = null;
  const outboxWaiters = new Set<() => void>();
  const snapshot = (): OutboxSnapshot => {
    const session = sessions.current;
    return { rows: session && userData ? ud().outbox.list(scopeOf(session)) : [] };
  };
  function emitOutbox() {
    for (const waiter of outboxWaiters) waiter();
    if (outboxTimer) return;
    outboxTimer = setTimeout(() => {
      outboxTimer = null;
      if (userData) events.emit('outbox.changed', snapshot());
    }, 30);
  }

  delivery = new OutboxDelivery({
    userData: ud,
    logger: deps.logger,
    backoff: deps.outbox?.backoff,
    concurrency: deps.outbox?.concurrency,
    clock: deps.outbox?.clock,
    beforeSend: deps.outbox?.beforeSend,
    onChange: emitOutbox,
    onDelivered: (row, response) => {
      if (!cache) return;
      db().transaction(() => {
        db().tickets.upsert(response.ticket);
        if (db().tickets.get(row.ticketId)) db().messages.upsert(response.message);
      });
      const detail = db().getDetail(row.ticketId);
      if (detail) events.emit('ticket.changed', detail);
    },
    onConflict: async (row) => {
      const session = sessions.current;
      if (session) await sync.refreshTicket(session, row.ticketId).catch(() => null);
    },
    onUnauthorized: endSession,
  });

  /** Draft → outbox row in one transaction: the text is never in neither or in both. */
  const enqueue = (session: ActiveSession, ticketId: string, text: string): OutboxRow => {
    const cached = db().tickets.get(ticketId);
    const scope = scopeOf(session);
    const row = ud().transaction(() => {
      const inserted = ud().outbox.insert({
        ...scope,
        id: uuidv7(),
        ticketId,
        ticketNumber: cached?.number ?? null,
        ticketSubject: cached?.subject ?? null,
        text,
        baseVersion: cached?.version ?? null,
      });
      ud().drafts.save(scope.agentId, ticketId, '');
      return inserted;
    });
    emitOutbox();
    delivery.kick();
    return row;
  };

  /** Waits until a row is settled (delivered, needs review, failed) or the time is up. */
  const settled = (id: string, timeoutMs: number): Promise<OutboxRow | null> =>
    new Promise((resolve) => {
      const check = () => {
        const row = userData ? ud().outbox.get(id) : null;
        if (!row || (row.state !== 'pending' && row.state !== 'sending')) finish(row);
      };
      const finish = (row: OutboxRow | null) => {
        clearTimeout(timer);
        outboxWaiters.delete(check);
        resolve(row);
      };
      const timer = setTimeout(() => finish(userData ? ud().outbox.get(id) : null), timeoutMs);
      outboxWaiters.add(check);
      check();
    });

  const ownRow = (session: ActiveSession, id: string): OutboxRow => {
    const row = ud().outbox.get(id);
    const mine =
      row &&
      ud()
        .outbox.list(scopeOf(session))
        .some((r) => r.id === id);
    if (!row || !mine) throw new BridgeError('not_found', 'no such reply in the outbox');
    return row;
  };

  const handlers: BridgeHandlers = {
    ping: async () => ({ ok: true }),
    ...phone.handlers,
    'app.info': async () => ({
      ...deps.app,
      defaultHubUrl: await Promise.resolve(deps.defaultHubUrl).catch(() => null),
    }),
    'session.get': async () => {
      await sessions.ready();
      return sessions.state();
    },
    'session.login': (input) => sessions.login(input),
    'session.logout': () => sessions.logout(),
    'connection.get': async () => {
      await sessions.ready();
      return sync.connection();
    },
    'agent.setState': async (request) => {
      const session = sessions.require();
      const status = await session.client.setState(request).catch(hubError);
      sessions.updateStored(session, { agentStatus: status });
      if (sessions.current === session) events.emit('agent.changed', status);
      return status;
    },
    'work.get': async () => {
      await sessions.ready();
      return sync.work(sessions.require());
    },
    'tickets.get': async ({ ticketId }) => {
      await sessions.ready();
      return sync.ticket(sessions.require(), ticketId);
    },
    // Kept for callers that want an answer: goes through the outbox like Send, then waits a
    // little for the delivery. If the hub is unreachable the reply stays queued (and is delivered
    // later): the error says so, and sending again would be a second reply.
    'tickets.reply': async ({ ticketId, text }) => {
      await sessions.ready();
      const session = sessions.require();
      const queued = enqueue(session, ticketId, text);
      const row = await settled(queued.id, deps.replyWaitMs ?? deps.requestTimeoutMs ?? 10_000);
      if (row?.state === 'delivered') {
        let detail: TicketDetail | null = null;
        try {
          detail = await sync.refreshTicket(session, ticketId);
        } catch (error) {
          deps.logger.warn('could not refresh the ticket after a reply', {
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        detail ??= db().getDetail(ticketId);
        if (detail) return { replyId: row.id, detail };
        return { replyId: row.id, detail: await sync.ticket(session, ticketId) };
      }
      if (row?.state === 'needs_review' || row?.state === 'failed') {
        throw new BridgeError('hub_error', row.lastError ?? 'the hub refused the reply', {
          outboxId: row.id,
          state: row.state,
          conflict: row.conflict,
        });
      }
      throw new BridgeError(
        'hub_unreachable',
        'The hub is not reachable: the reply is queued in the outbox and will be delivered ' +
          'when it is. Do not send it again.',
        { outboxId: queued.id, queued: true },
      );
    },
    'tickets.close': async ({ ticketId }) => {
      const session = sessions.require();
      const me = session.stored.agent.id;
      const ticket = await session.client.closeTicket(ticketId).catch(hubError);
      if (sessions.current !== session) return ticket;
      db().transaction(() => {
        db().tickets.upsert(ticket);
        db().work.remove(me, ticketId);
      });
      events.emit('work.changed', sync.currentWork(me));
      const detail = db().getDetail(ticketId);
      if (detail) events.emit('ticket.changed', detail);
      return ticket;
    },
    'drafts.get': async ({ ticketId }) => {
      await sessions.ready();
      return ud().drafts.get(sessions.require().stored.agent.id, ticketId);
    },
    'drafts.save': async ({ ticketId, text }) => {
      await sessions.ready();
      return ud().drafts.save(sessions.require().stored.agent.id, ticketId, text);
    },
    'outbox.send': async ({ ticketId, text }) => {
      await sessions.ready();
      return enqueue(sessions.require(), ticketId, text);
    },
    'outbox.list': async () => {
      await sessions.ready();
      sessions.require();
      return snapshot();
    },
    'outbox.resolve': async ({ id, action }) => {
      await sessions.ready();
      const session = sessions.require();
      const row = ownRow(session, id);
      const agentId = session.stored.agent.id;
      let done: boolean;
      if (action === 'sendAnyway') {
        // Same key: the refused attempt stored nothing on the hub, and any retry of this one
        // is then recognised — the reply cannot be applied twice.
        done = ud().outbox.sendAnyway(id);
        if (done) delivery.kick();
      } else if (action === 'discard') {
        done = ud().outbox.delete(id);
      } else {
        done = ud().transaction(() => {
          if (!ud().outbox.delete(id)) return false;
          const draft = ud().drafts.get(agentId, row.ticketId).text;
          ud().drafts.save(agentId, row.ticketId, draft ? `${row.text}\n\n${draft}` : row.text);
          return true;
        });
      }
      if (!done) {
        throw new BridgeError(
          'invalid_request',
          `this reply is ${row.state} and cannot be changed`,
        );
      }
      emitOutbox();
      return snapshot();
    },
    search: async ({ query, limit }) => ({ hits: db().search.search(query, limit ?? 30) }),
    ...routingHandlers({
      sessions,
      events,
      logger: deps.logger,
      sync: () => sync,
      directory,
      wrapUps,
      tasks,
    }),
  };

  return {
    handlers,
    onEvent: (listener) => events.on(listener),
    async start() {
      if (cache) return;
      cache = openCache(deps.dataDir);
      if (cache.rebuiltFrom) {
        deps.logger.warn('the cache was corrupt: moved aside and rebuilt from the hub', {
          movedTo: cache.rebuiltFrom,
        });
      }
      userData = openUserData(deps.dataDir);
      // A request that was on its way when the app stopped is sent again, with the same key.
      const interrupted = userData.outbox.resetSending();
      if (interrupted > 0) deps.logger.info('outbox rows to resend', { count: interrupted });
      userData.outbox.pruneDelivered();
      sessions.beginRestore();
    },
    async stop() {
      await sessions.settle();
      await phone.stop();
      await sync.stop();
      await delivery.stop();
      presence.stop();
      if (outboxTimer) clearTimeout(outboxTimer);
      outboxTimer = null;
      cache?.close();
      cache = null;
      userData?.close();
      userData = null;
      events.clear();
    },
    reconnectNow: () => sync.reconnectNow(),
  };
}
