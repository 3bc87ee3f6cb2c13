import { type HubEvent } from '../../shared/api/events.js';
import { type ConnectionState } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import {
  AgentStatus,
  TicketSummary,
  type Offer,
  type TicketDetail,
  type Work,
} from '../../shared/domain/index.js';
import { type Cache } from '../cache/cache.js';
import { type EventBus } from '../event-bus.js';
import { type Logger } from '../logger.js';
import { type ActiveSession, type SessionManager } from '../session/session-manager.js';
import { META_STREAM_CURSOR, StoredCursor } from '../session/session-info.js';
import { type BackoffOptions } from '../util/backoff.js';
import { assignmentNotice } from '../work/assignment-notice.js';
import { isUnreachable } from './hub-client.js';
import { HubStream, type StreamState } from './stream.js';
import { type Notifier } from '../notifier.js';
import { applyOfferEvent, isOwnDecision } from '../routing/offer-book.js';
import { offerNotice } from '../routing/offer-notice.js';
import { type Notification } from '../../shared/bridge/contract.js';

export interface WorkSyncDeps {
  cache(): Cache;
  sessions: SessionManager;
  events: EventBus;
  notifier: Notifier;
  logger: Logger;
  streamBackoff?: BackoffOptions;
  streamHeartbeatMs?: number;
  /** Every event of the stream, before WorkSync applies it (routing: wrap-up). */
  onHubEvent?(session: ActiveSession, event: HubEvent): Promise<void> | void;
  /** The stream is (again) connected: a good moment to deliver the outbox, send a heartbeat. */
  onOnline?(session: ActiveSession): void;
  /** Tickets the working set includes beyond the work list (e.g. those with outbox rows). */
  extraWorkingSet?(session: ActiveSession): string[];
}

/**
 * Keeps the cache in step with the hub for the signed-in agent: the event stream (resumed from
 * the stored cursor), what each event means for the work list and open tickets, and the
 * connection state shown in the top bar.
 */
export class WorkSync {
  private stream: HubStream | null = null;
  private streamSession: ActiveSession | null = null;
  private state: StreamState = { status: 'offline', lastError: null };
  private onlineSince: string | null = null;
  private offers: Offer[] = [];
  /** Assignments already announced, so task.assigned + ticket.assigned notify once. */
  private readonly announced = new Map<string, number>();
  /** Set when the cache cannot be trusted to be complete (rebuilt, or the cursor too old). */
  private resyncNeeded = false;

  constructor(private readonly deps: WorkSyncDeps) {}

  private get db(): Cache {
    return this.deps.cache();
  }

  connection(): ConnectionState {
    const session = this.deps.sessions.current;
    if (!session) {
      return {
        status: 'signed_out',
        hubUrl: null,
        lastError: this.deps.sessions.signedOutReason,
        since: null,
      };
    }
    return {
      status: this.state.status,
      hubUrl: session.hubUrl,
      lastError: this.state.lastError,
      since: this.onlineSince,
    };
  }

  currentWork(agentId: string): Work {
    return { offers: this.offers, tickets: this.db.work.list(agentId) };
  }

  start(session: ActiveSession): void {
    if (this.streamSession === session) return;
    void this.stop();
    this.offers = [];
    this.announced.clear();
    this.state = { status: 'offline', lastError: null };
    this.onlineSince = null;
    const agentId = session.stored.agent.id;
    const live = () => this.streamSession === session;
    const stream = new HubStream({
      hubUrl: session.hubUrl,
      token: session.token,
      logger: this.deps.logger,
      backoff: this.deps.streamBackoff,
      heartbeatMs: this.deps.streamHeartbeatMs,
      getCursor: () => this.cursor(session),
      saveCursor: (eventId) => {
        if (live())
          this.db.meta.set(META_STREAM_CURSOR, { hubUrl: session.hubUrl, agentId, eventId });
      },
      apply: (event) => (live() ? this.apply(session, event) : Promise.resolve()),
      // Whatever happened while disconnected, the work list is re-read once per connection; after
      // a cache rebuild or a cursor the hub could not resume from, the whole working set.
      onReady: () => (live() ? this.onReady(session) : undefined),
      onCursorTooOld: () => {
        if (!live()) return;
        this.db.meta.delete(META_STREAM_CURSOR);
        this.resyncNeeded = true;
      },
      onState: (state) => {
        if (!live()) return;
        this.state = state;
        if (state.status === 'online') this.onlineSince = new Date().toISOString();
        this.deps.events.emit('connection.changed', this.connection());
        if (state.status === 'online') this.deps.onOnline?.(session);
      },
      onUnauthorized: (reason) => {
        if (!live()) return;
        this.deps.logger.warn('the hub refused the stream token', { reason });
        this.deps.sessions
          .handleHubError(new BridgeError('unauthorized', reason))
          .catch(() => undefined);
      },
    });
    this.stream = stream;
    this.streamSession = session;
    if (this.db.rebuiltFrom) this.resyncNeeded = true;
    stream.start();
  }

  /**
   * Stops the stream. Callers inside the stream's own handling (a 401 while applying an event)
   * must not await it: it waits for that handling to finish.
   */
  stop(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.streamSession = null;
    this.state = { status: 'offline', lastError: null };
    this.onlineSince = null;
    this.offers = [];
    return stream ? stream.stop() : Promise.resolve();
  }

  reconnectNow(): void {
    this.stream?.reconnectNow();
  }

  private cursor(session: ActiveSession): number | null {
    const stored = this.db.meta.get(META_STREAM_CURSOR, StoredCursor);
    return stored && stored.hubUrl === session.hubUrl && stored.agentId === session.stored.agent.id
      ? stored.eventId
      : null;
  }

  private async apply(session: ActiveSession, event: HubEvent): Promise<void> {
    const me = session.stored.agent.id;
    await this.deps.onHubEvent?.(session, event);
    switch (event.type) {
      case 'offer.created':
      case 'offer.accepted':
      case 'offer.rejected':
      case 'offer.timed_out':
      case 'offer.revoked': {
        const change = applyOfferEvent(this.offers, event, me);
        if (!change) return;
        this.offers = change.offers;
        this.deps.events.emit('work.changed', this.currentWork(me));
        if (change.created) this.announce(offerNotice(change.created, null));
        return;
      }
      case 'task.assigned':
      case 'ticket.assigned':
        if (!event.ticketId) return;
        if (event.agentId === me) await this.onAssigned(session, event, event.ticketId);
        else if (this.db.work.remove(me, event.ticketId)) {
          // Reassigned to someone else (a supervisor's decision): it leaves this console.
          this.deps.events.emit('work.changed', this.currentWork(me));
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
        this.deps.sessions.updateStored(session, { agentStatus: status.data });
        this.deps.events.emit('agent.changed', status.data);
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
    // Accepted or asked for by the agent: no chime for what they just did.
    if (isOwnDecision(event)) return;
    this.announce(assignmentNotice(detail));
  }

  /** Sound and notice in the renderer, and the OS notification main shows. */
  private announce(notice: Notification): void {
    this.deps.events.emit('notify', notice);
    try {
      this.deps.notifier.notify(notice);
    } catch (error) {
      this.deps.logger.warn('desktop notification failed', { error });
    }
  }

  /**
   * Fetches a ticket into the cache and tells the renderer. Returns null when the agent may no
   * longer see it (it leaves the work list) unless `throwIfDenied`. An unreachable hub throws, so
   * a stream event is replayed later; a refused token signs out.
   */
  async refreshTicket(
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
        if (this.db.work.remove(me, ticketId))
          this.deps.events.emit('work.changed', this.currentWork(me));
        if (options.throwIfDenied) throw error;
        return null;
      }
      return this.deps.sessions.handleHubError(error);
    }
    if (this.deps.sessions.current !== session) return null;
    const workChanged = this.db.transaction(() => {
      this.db.storeDetail(detail);
      const mine = detail.ticket.status === 'open' && detail.ticket.assigneeId === me;
      return mine ? this.db.work.add(me, ticketId) : this.db.work.remove(me, ticketId);
    });
    const inWork = this.db.work.list(me).some((t) => t.id === ticketId);
    if (workChanged || inWork) this.deps.events.emit('work.changed', this.currentWork(me));
    this.deps.events.emit('ticket.changed', detail);
    return detail;
  }

  private async onReady(session: ActiveSession): Promise<void> {
    if (this.resyncNeeded) {
      await this.resyncWorkingSet(session);
      this.resyncNeeded = false;
      this.db.rebuiltFrom = null;
    } else {
      await this.refreshWork(session);
    }
    await this.refreshDirectory(session);
  }

  /**
   * Re-reads the agent's working set from the hub: the work list and the full conversation of
   * every ticket in it (and of tickets with replies in the outbox), so the console can work from
   * the cache again if the connection drops. A ticket that fails is skipped, not fatal.
   */
  async resyncWorkingSet(session: ActiveSession): Promise<number> {
    const work = await this.refreshWork(session);
    const ids = new Set([
      ...work.tickets.map((t) => t.id),
      ...(this.deps.extraWorkingSet?.(session) ?? []),
    ]);
    let fetched = 0;
    for (const id of ids) {
      if (this.deps.sessions.current !== session) break;
      try {
        if (await this.refreshTicket(session, id)) fetched++;
      } catch (error) {
        if (isUnreachable(error)) throw error;
        this.deps.logger.warn('resync: could not refresh a ticket', { ticketId: id, error });
      }
    }
    this.deps.logger.info('working set resynchronised', { tickets: fetched });
    return fetched;
  }

  /** Queues, pause reasons and (for staff) the agents directory, for offline use. */
  private async refreshDirectory(session: ActiveSession): Promise<void> {
    const { client } = session;
    const [queues, reasons, agents] = await Promise.allSettled([
      client.queues(),
      client.pauseReasons(),
      client.agents(),
    ]);
    if (this.deps.sessions.current !== session) return;
    if (queues.status === 'fulfilled') this.db.directory.replaceQueues(queues.value);
    if (reasons.status === 'fulfilled') this.db.directory.replacePauseReasons(reasons.value);
    if (agents.status === 'fulfilled') this.db.directory.replaceAgents(agents.value);
  }

  /** Reads the work list from the hub into the cache. */
  async refreshWork(session: ActiveSession): Promise<Work> {
    let work: Work;
    try {
      work = await session.client.work();
    } catch (error) {
      return this.deps.sessions.handleHubError(error);
    }
    if (this.deps.sessions.current !== session) return work;
    this.offers = work.offers;
    this.db.replaceWork(session.stored.agent.id, work.tickets);
    this.deps.events.emit('work.changed', work);
    return work;
  }

  /** The work list: fresh from the hub, or from the cache while the hub is unreachable. */
  async work(session: ActiveSession): Promise<Work> {
    try {
      return await this.refreshWork(session);
    } catch (error) {
      if (isUnreachable(error)) return this.currentWork(session.stored.agent.id);
      throw error;
    }
  }

  /** A ticket: fresh from the hub, or the cached conversation while the hub is unreachable. */
  async ticket(session: ActiveSession, ticketId: string): Promise<TicketDetail> {
    try {
      const detail = await this.refreshTicket(session, ticketId, { throwIfDenied: true });
      if (!detail) throw new BridgeError('not_signed_in', 'signed out while loading the ticket');
      return detail;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      const cached = this.db.getDetail(ticketId);
      if (cached) return cached;
      throw error;
    }
  }
}
