import { type AppInfo, type EventName } from '../shared/bridge/contract.js';
import { type BridgeHandlers } from '../shared/bridge/server.js';
import { type TicketDetail } from '../shared/domain/index.js';
import { BridgeError } from '../shared/bridge/errors.js';
import { openCache, type Cache } from './cache/cache.js';
import { EventBus } from './event-bus.js';
import { type Logger } from './logger.js';
import { type Notifier } from './notifier.js';
import { type SecretStore } from './session/secret-store.js';
import { SessionManager } from './session/session-manager.js';
import { HubClient } from './sync/hub-client.js';
import { defaultReplyRetry, ReplySender, type ReplyRetryOptions } from './sync/reply-sender.js';
import { WorkSync } from './sync/work-sync.js';
import { type BackoffOptions } from './util/backoff.js';

export { type Notifier } from './notifier.js';
export { type EventListener } from './event-bus.js';

export interface ServicesDeps {
  /** Directory of the cache database, or ':memory:' (tests). */
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
  /** Timeout of ordinary hub requests. */
  requestTimeoutMs?: number;
  replyRetry?: ReplyRetryOptions;
  streamBackoff?: BackoffOptions;
  streamHeartbeatMs?: number;
}

export interface Services {
  handlers: BridgeHandlers;
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
  /** Opens the cache and restores the saved session in the background (nothing slow). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The OS says the network or the machine is back (resume from sleep): reconnect now. */
  reconnectNow(): void;
}

/**
 * The main-process services behind the bridge, wired together: cache, session, sync, replies.
 * Plain Node: the Electron shell and the web host both run exactly this.
 */
export function createServices(deps: ServicesDeps): Services {
  let cache: Cache | null = null;
  const db = (): Cache => {
    if (!cache) throw new BridgeError('internal', 'the services are not started');
    return cache;
  };
  const events = new EventBus(deps.logger);
  const replies = new ReplySender(deps.replyRetry ?? defaultReplyRetry);
  // eslint-disable-next-line prefer-const -- assigned after the session manager that refers to it
  let sync: WorkSync;
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
    onStart: (session) => sync.start(session),
    onEnd: () => {
      void sync.stop();
      events.emit('connection.changed', sync.connection());
    },
  });
  sync = new WorkSync({
    cache: db,
    sessions,
    events,
    notifier: deps.notifier,
    logger: deps.logger,
    streamBackoff: deps.streamBackoff,
    streamHeartbeatMs: deps.streamHeartbeatMs,
  });
  const hubError = (error: unknown) => sessions.handleHubError(error);

  const handlers: BridgeHandlers = {
    ping: async () => ({ ok: true }),
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
    'tickets.reply': async ({ ticketId, text }) => {
      const session = sessions.require();
      const { key, response } = await replies.send(session.client, ticketId, text).catch(hubError);
      // The reply is on the hub: from here on nothing may fail the call, or the agent would
      // send it again believing it was lost.
      db().transaction(() => {
        db().tickets.upsert(response.ticket);
        db().messages.upsert(response.message);
      });
      let detail: TicketDetail | null = null;
      try {
        detail = await sync.refreshTicket(session, ticketId);
      } catch (error) {
        deps.logger.warn('could not refresh the ticket after a reply', {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      detail ??= db().getDetail(ticketId) ?? {
        ticket: response.ticket,
        customer: {
          id: response.ticket.customerId,
          name: response.ticket.customerName,
          email: null,
          phone: null,
        },
        messages: db().messages.listForTicket(ticketId),
      };
      return { replyId: key, detail };
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
  };

  return {
    handlers,
    onEvent: (listener) => events.on(listener),
    async start() {
      if (cache) return;
      cache = openCache(deps.dataDir);
      sessions.beginRestore();
    },
    async stop() {
      await sessions.settle();
      await sync.stop();
      cache?.close();
      cache = null;
      events.clear();
    },
    reconnectNow: () => sync.reconnectNow(),
  };
}
