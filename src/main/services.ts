import { type HubEvent } from '../shared/api/events.js';
import {
  type AppInfo,
  type ConnectionState,
  type EventName,
  type EventPayload,
  type LoginInput,
  type Notification,
  type SessionState,
} from '../shared/bridge/contract.js';
import { BridgeError } from '../shared/bridge/errors.js';
import { checkEvent, type BridgeHandlers } from '../shared/bridge/server.js';
import {
  AgentStatus,
  TicketSummary,
  type Offer,
  type TicketDetail,
  type Work,
} from '../shared/domain/index.js';
import { openCache, type Cache } from './cache/cache.js';
import { type Logger } from './logger.js';
import { HUB_TOKEN_KEY, type SecretStore } from './session/secret-store.js';
import {
  META_LAST_HUB_URL,
  META_SESSION,
  META_STREAM_CURSOR,
  normalizeHubUrl,
  StoredCursor,
  StoredSession,
} from './session/session-info.js';
import { HubClient, isUnreachable } from './sync/hub-client.js';
import { defaultReplyRetry, ReplySender, type ReplyRetryOptions } from './sync/reply-sender.js';
import { HubStream, type StreamState } from './sync/stream.js';
import { type BackoffOptions } from './util/backoff.js';
import { assignmentNotice } from './work/assignment-notice.js';
import { z } from 'zod';

export interface Notifier {
  notify(notification: Notification): void;
}

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

export type EventListener = (name: EventName, payload: unknown) => void;

export interface Services {
  handlers: BridgeHandlers;
  onEvent(listener: EventListener): () => void;
  /** Opens nothing slow: restores the saved session in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The OS says the network or the machine is back (resume from sleep): reconnect now. */
  reconnectNow(): void;
}

interface ActiveSession {
  hubUrl: string;
  token: string;
  client: HubClient;
  stored: StoredSession;
  stream: HubStream | null;
}

/** How long session.get waits for the hub to confirm a restored token before answering. */
const RESTORE_WAIT_MS = 4_000;

export function createServices(deps: ServicesDeps): Services {
  return new MainServices(deps).api();
}

/**
 * The main-process services behind the bridge: session, cache, hub client and stream, wired
 * together. Plain Node: the Electron shell and the web host both run exactly this.
 */
class MainServices {
  private cache: Cache | null = null;
  private session: ActiveSession | null = null;
  private readonly listeners = new Set<EventListener>();
  private readonly replies: ReplySender;
  private stream: StreamState = { status: 'offline', lastError: null };
  private onlineSince: string | null = null;
  private signedOutReason: string | null = null;
  private offers: Offer[] = [];
  private restoring: Promise<void> | null = null;
  /** Assignments already announced, so task.assigned + ticket.assigned notify once. */
  private readonly announced = new Map<string, number>();

  constructor(private readonly deps: ServicesDeps) {
    this.replies = new ReplySender(deps.replyRetry ?? defaultReplyRetry);
  }

  api(): Services {
    return {
      handlers: this.handlers(),
      onEvent: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      start: () => this.start(),
      stop: () => this.stop(),
      reconnectNow: () => this.session?.stream?.reconnectNow(),
    };
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private get db(): Cache {
    if (!this.cache) throw new BridgeError('internal', 'the services are not started');
    return this.cache;
  }

  private async start() {
    if (this.cache) return;
    this.cache = openCache(this.deps.dataDir);
    this.restoring = this.restore()
      .catch((error: unknown) => this.deps.logger.error('could not restore the session', { error }))
      .finally(() => {
        this.restoring = null;
      });
  }

  private async stop() {
    await this.restoring?.catch(() => undefined);
    await this.session?.stream?.stop();
    if (this.session) this.session.stream = null;
    this.cache?.close();
    this.cache = null;
    this.listeners.clear();
  }

  /** Resumes the saved session: token from the SecretStore, verified with the hub in the background. */
  private async restore() {
    const stored = this.db.meta.get(META_SESSION, StoredSession);
    if (!stored) return;
    const token = await this.deps.secrets.get(HUB_TOKEN_KEY);
    if (!token) {
      this.db.meta.delete(META_SESSION);
      return;
    }
    const client = this.client(stored.hubUrl, token);
    this.session = { hubUrl: stored.hubUrl, token, client, stored, stream: null };
    this.startStream();
    try {
      const me = await client.me({ timeoutMs: RESTORE_WAIT_MS });
      if (this.session?.token !== token) return;
      this.updateStored({ agent: me.agent, agentStatus: me.status });
      this.emit('session.changed', this.sessionState());
    } catch (error) {
      // Refused token: signed out. Unreachable or a hub fault: keep the session and work from
      // the cache while the stream keeps retrying.
      await this.handleHubError(error).catch(() => undefined);
      if (this.session?.token === token) {
        this.deps.logger.info('session restored without hub confirmation', {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private async ready() {
    if (!this.restoring) return;
    await Promise.race([
      this.restoring.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, RESTORE_WAIT_MS + 500).unref()),
    ]);
  }

  private client(hubUrl: string, token: string | null = null) {
    return new HubClient({
      baseUrl: hubUrl,
      token,
      timeoutMs: this.deps.requestTimeoutMs ?? 10_000,
      fetch: this.deps.fetch,
    });
  }

  // ---- events to the renderer ---------------------------------------------------------------

  private emit<E extends EventName>(name: E, payload: EventPayload<E>) {
    let checked: EventPayload<E>;
    try {
      checked = checkEvent(name, payload);
    } catch (error) {
      this.deps.logger.error('dropped an invalid event', { name, error });
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(name, checked);
      } catch (error) {
        this.deps.logger.error('event listener failed', { name, error });
      }
    }
  }

  private sessionState(): SessionState {
    if (!this.session) {
      return {
        status: 'signed_out',
        lastHubUrl: this.cache?.meta.get(META_LAST_HUB_URL, z.string()) ?? null,
      };
    }
    const { stored } = this.session;
    return {
      status: 'signed_in',
      hubUrl: stored.hubUrl,
      agent: stored.agent,
      agentStatus: stored.agentStatus,
    };
  }

  private connectionState(): ConnectionState {
    if (!this.session) {
      return {
        status: 'signed_out',
        hubUrl: null,
        lastError: this.signedOutReason,
        since: null,
      };
    }
    return {
      status: this.stream.status,
      hubUrl: this.session.hubUrl,
      lastError: this.stream.lastError,
      since: this.onlineSince,
    };
  }

  private currentWork(agentId: string): Work {
    return { offers: this.offers, tickets: this.db.work.list(agentId) };
  }

  // ---- session ------------------------------------------------------------------------------

  private requireSession(): ActiveSession {
    if (!this.session) throw new BridgeError('not_signed_in', 'sign in first');
    return this.session;
  }

  private updateStored(change: Partial<StoredSession>) {
    if (!this.session) return;
    this.session.stored = { ...this.session.stored, ...change };
    this.db.meta.set(META_SESSION, this.session.stored);
  }

  private async login(input: LoginInput): Promise<SessionState> {
    await this.ready();
    const hubUrl = normalizeHubUrl(input.hubUrl);
    const anonymous = this.client(hubUrl);
    let login;
    try {
      login = await anonymous.login({ login: input.login, password: input.password });
    } catch (error) {
      if (error instanceof BridgeError && error.code === 'unauthorized') {
        throw new BridgeError('unauthorized', 'Wrong login or password.', error.details);
      }
      throw error;
    }
    if (this.session) await this.endSession(null, { revoke: true });

    const client = anonymous.withToken(login.token);
    const previous = this.db.meta.get(META_SESSION, StoredSession);
    const cursor = this.db.meta.get(META_STREAM_CURSOR, StoredCursor);
    const sameOwner = (x: { hubUrl: string; agentId: string } | null) =>
      x !== null && x.hubUrl === hubUrl && x.agentId === login.agent.id;
    // Another agent or another hub: what is cached belongs to someone else.
    if (
      (previous && !sameOwner({ hubUrl: previous.hubUrl, agentId: previous.agent.id })) ||
      (cursor && !sameOwner(cursor))
    ) {
      this.db.clearAgentData();
      this.db.meta.delete(META_STREAM_CURSOR);
    }

    await this.deps.secrets.set(HUB_TOKEN_KEY, login.token);
    let agentStatus: AgentStatus | null = null;
    try {
      agentStatus = (await client.me()).status;
    } catch (error) {
      this.deps.logger.warn('could not read the agent status after login', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    const stored: StoredSession = { hubUrl, agent: login.agent, agentStatus };
    this.db.meta.set(META_SESSION, stored);
    this.db.meta.set(META_LAST_HUB_URL, hubUrl);
    this.session = { hubUrl, token: login.token, client, stored, stream: null };
    this.signedOutReason = null;
    this.offers = [];
    this.deps.logger.info('signed in', { hubUrl, login: login.agent.login });
    this.emit('session.changed', this.sessionState());
    this.startStream();
    return this.sessionState();
  }

  private async logout(): Promise<SessionState> {
    await this.ready();
    if (this.session) await this.endSession(null, { revoke: true });
    return this.sessionState();
  }

  /** Ends the session locally; `reason` is shown when the hub ended it (token refused). */
  private async endSession(reason: string | null, options: { revoke: boolean }) {
    const session = this.session;
    if (!session) return;
    this.session = null;
    // Not awaited: this may run inside the stream's own event handling (a 401 while applying an
    // event), and waiting for that handling to finish would wait for ourselves.
    void session.stream?.stop();
    if (options.revoke) {
      // Best effort: a hub that is down must not keep the agent signed in on this machine.
      await session.client.logout({ timeoutMs: 3_000 }).catch((error: unknown) => {
        this.deps.logger.warn('could not revoke the token on the hub', {
          reason: error instanceof Error ? error.message : String(error),
        });
      });
    }
    await this.deps.secrets.delete(HUB_TOKEN_KEY);
    this.db.meta.delete(META_SESSION);
    this.signedOutReason = reason;
    this.stream = { status: 'offline', lastError: null };
    this.onlineSince = null;
    this.offers = [];
    this.announced.clear();
    this.deps.logger.info('signed out', { reason });
    this.emit('session.changed', this.sessionState());
    this.emit('connection.changed', this.connectionState());
  }

  /** A 401 means the token is gone (expired, revoked): sign out. Everything else is rethrown. */
  private async handleHubError(error: unknown): Promise<never> {
    if (error instanceof BridgeError && error.code === 'unauthorized' && this.session) {
      await this.endSession('The hub ended the session. Please sign in again.', {
        revoke: false,
      });
    }
    throw error;
  }

  // ---- stream -------------------------------------------------------------------------------

  private cursor(session: ActiveSession): number | null {
    const stored = this.db.meta.get(META_STREAM_CURSOR, StoredCursor);
    return stored && stored.hubUrl === session.hubUrl && stored.agentId === session.stored.agent.id
      ? stored.eventId
      : null;
  }

  private startStream() {
    const session = this.session;
    if (!session || session.stream) return;
    const agentId = session.stored.agent.id;
    const stream = new HubStream({
      hubUrl: session.hubUrl,
      token: session.token,
      logger: this.deps.logger,
      backoff: this.deps.streamBackoff,
      heartbeatMs: this.deps.streamHeartbeatMs,
      getCursor: () => this.cursor(session),
      saveCursor: (eventId) => {
        if (this.session !== session || !this.cache) return;
        this.db.meta.set(META_STREAM_CURSOR, { hubUrl: session.hubUrl, agentId, eventId });
      },
      apply: (event) => this.applyEvent(session, event),
      // Whatever happened while disconnected, the work list is re-read once per connection.
      onReady: () => this.refreshWork(session).then(() => undefined),
      onState: (state) => {
        if (this.session !== session) return;
        this.stream = state;
        if (state.status === 'online') this.onlineSince = new Date().toISOString();
        this.emit('connection.changed', this.connectionState());
      },
      onUnauthorized: (reason) => {
        if (this.session !== session) return;
        this.deps.logger.warn('the hub refused the stream token', { reason });
        this.endSession('The hub ended the session. Please sign in again.', {
          revoke: false,
        }).catch((error: unknown) =>
          this.deps.logger.error('could not end the refused session', { error }),
        );
      },
    });
    session.stream = stream;
    stream.start();
  }

  private async applyEvent(session: ActiveSession, event: HubEvent): Promise<void> {
    if (this.session !== session) return;
    const me = session.stored.agent.id;
    switch (event.type) {
      case 'task.assigned':
      case 'ticket.assigned':
        if (!event.ticketId) return;
        if (event.agentId === me) await this.onAssigned(session, event, event.ticketId);
        else if (this.db.work.remove(me, event.ticketId)) {
          // Reassigned to someone else (a supervisor's decision): it leaves this console.
          this.emit('work.changed', this.currentWork(me));
        }
        return;
      case 'message.received':
      case 'message.sent':
      case 'ticket.created':
      case 'ticket.reopened':
      case 'ticket.closed':
        if (event.ticketId && (event.agentId === me || this.db.tickets.get(event.ticketId))) {
          await this.refreshTicket(session, event.ticketId);
        }
        return;
      case 'agent.state_changed': {
        if (event.agentId !== me) return;
        const status = AgentStatus.safeParse(event.data);
        if (!status.success) return;
        this.updateStored({ agentStatus: status.data });
        this.emit('agent.changed', status.data);
        return;
      }
      default:
        return;
    }
  }

  private async onAssigned(session: ActiveSession, event: HubEvent, ticketId: string) {
    const summary = TicketSummary.safeParse(event.data.ticket);
    const key = summary.success ? `${ticketId}@${summary.data.version}` : `${ticketId}#${event.id}`;
    if (this.announced.has(key)) return;
    const detail = await this.refreshTicket(session, ticketId);
    if (!detail) return;
    this.announced.set(key, Date.now());
    if (this.announced.size > 500) {
      const oldest = this.announced.keys().next().value;
      if (oldest !== undefined) this.announced.delete(oldest);
    }
    const { ticket } = detail;
    if (ticket.status !== 'open' || ticket.assigneeId !== session.stored.agent.id) return;
    const notice = assignmentNotice(detail);
    this.emit('notify', notice);
    try {
      this.deps.notifier.notify(notice);
    } catch (error) {
      this.deps.logger.warn('desktop notification failed', { error });
    }
  }

  /**
   * Fetches a ticket from the hub into the cache and tells the renderer. Returns null when the
   * agent may no longer see it (it is dropped from the work list). Unreachable hub: throws, so a
   * stream event is replayed later.
   */
  private async refreshTicket(
    session: ActiveSession,
    ticketId: string,
    options: { throwIfDenied?: boolean } = {},
  ): Promise<TicketDetail | null> {
    const me = session.stored.agent.id;
    let detail: TicketDetail;
    try {
      detail = await session.client.ticket(ticketId);
    } catch (error) {
      if (
        error instanceof BridgeError &&
        (error.code === 'forbidden' || error.code === 'not_found')
      ) {
        if (this.db.work.remove(me, ticketId)) this.emit('work.changed', this.currentWork(me));
        if (options.throwIfDenied) throw error;
        return null;
      }
      return this.handleHubError(error);
    }
    if (this.session !== session) return null;
    const workChanged = this.db.transaction(() => {
      this.db.storeDetail(detail);
      const mine = detail.ticket.status === 'open' && detail.ticket.assigneeId === me;
      return mine ? this.db.work.add(me, ticketId) : this.db.work.remove(me, ticketId);
    });
    const inWork = this.db.work.list(me).some((t) => t.id === ticketId);
    if (workChanged || inWork) this.emit('work.changed', this.currentWork(me));
    this.emit('ticket.changed', detail);
    return detail;
  }

  private async refreshWork(session: ActiveSession): Promise<Work> {
    let work: Work;
    try {
      work = await session.client.work();
    } catch (error) {
      return this.handleHubError(error);
    }
    if (this.session !== session) return work;
    this.offers = work.offers;
    this.db.replaceWork(session.stored.agent.id, work.tickets);
    this.emit('work.changed', work);
    return work;
  }

  // ---- calls --------------------------------------------------------------------------------

  private handlers(): BridgeHandlers {
    return {
      ping: async () => ({ ok: true }),
      'app.info': async () => ({
        ...this.deps.app,
        defaultHubUrl: await Promise.resolve(this.deps.defaultHubUrl).catch(() => null),
      }),
      'session.get': async () => {
        await this.ready();
        return this.sessionState();
      },
      'session.login': (input) => this.login(input),
      'session.logout': () => this.logout(),
      'connection.get': async () => {
        await this.ready();
        return this.connectionState();
      },
      'agent.setState': async (request) => {
        const session = this.requireSession();
        const status = await session.client
          .setState(request)
          .catch((e: unknown) => this.handleHubError(e));
        if (this.session === session) {
          this.updateStored({ agentStatus: status });
          this.emit('agent.changed', status);
        }
        return status;
      },
      'work.get': async () => {
        await this.ready();
        const session = this.requireSession();
        try {
          return await this.refreshWork(session);
        } catch (error) {
          // The console keeps working from the cache while the hub is away.
          if (isUnreachable(error)) return this.currentWork(session.stored.agent.id);
          throw error;
        }
      },
      'tickets.get': async ({ ticketId }) => {
        await this.ready();
        const session = this.requireSession();
        try {
          const detail = await this.refreshTicket(session, ticketId, { throwIfDenied: true });
          if (!detail)
            throw new BridgeError('not_signed_in', 'signed out while loading the ticket');
          return detail;
        } catch (error) {
          if (!isUnreachable(error)) throw error;
          const cached = this.db.getDetail(ticketId);
          if (cached) return cached;
          throw error;
        }
      },
      'tickets.reply': async ({ ticketId, text }) => {
        const session = this.requireSession();
        const { key, response } = await this.replies
          .send(session.client, ticketId, text)
          .catch((e: unknown) => this.handleHubError(e));
        // The reply is on the hub: from here on nothing may fail the call, or the agent would
        // send it again believing it was lost.
        this.db.transaction(() => {
          this.db.tickets.upsert(response.ticket);
          this.db.messages.upsert(response.message);
        });
        let detail: TicketDetail | null = null;
        try {
          detail = await this.refreshTicket(session, ticketId);
        } catch (error) {
          this.deps.logger.warn('could not refresh the ticket after a reply', {
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        detail ??= this.db.getDetail(ticketId) ?? {
          ticket: response.ticket,
          customer: {
            id: response.ticket.customerId,
            name: response.ticket.customerName,
            email: null,
            phone: null,
          },
          messages: this.db.messages.listForTicket(ticketId),
        };
        return { replyId: key, detail };
      },
      'tickets.close': async ({ ticketId }) => {
        const session = this.requireSession();
        const me = session.stored.agent.id;
        const ticket = await session.client
          .closeTicket(ticketId)
          .catch((e: unknown) => this.handleHubError(e));
        if (this.session !== session) return ticket;
        this.db.transaction(() => {
          this.db.tickets.upsert(ticket);
          this.db.work.remove(me, ticketId);
        });
        this.emit('work.changed', this.currentWork(me));
        const detail = this.db.getDetail(ticketId);
        if (detail) this.emit('ticket.changed', detail);
        return ticket;
      },
    };
  }
}
