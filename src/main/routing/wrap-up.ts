import { z } from 'zod';
import { type HubEvent } from '../../shared/api/events.js';
import { WrapUp } from '../../shared/bridge/routing.js';
import { type AgentStatus, type Task } from '../../shared/domain/index.js';
import { type Cache } from '../cache/cache.js';
import { type EventBus } from '../event-bus.js';
import { type ActiveSession, type SessionManager } from '../session/session-manager.js';
import { type RoutingDirectory } from './directory.js';

const META_WRAP_UP = 'routing.wrapUp';
const Stored = z.object({ hubUrl: z.string(), agentId: z.string(), wrapUp: WrapUp });

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The agent's running wrap-up as the console shows it: the hub's deadline (from the agent status
 * and the wrap-up events) plus what the status does not carry — the task, its queue and the
 * queue's topics. Kept in the cache's meta table so a restarted console still knows which topics
 * to offer. The hub's status is the judge: no `wrapUpUntil` there, no wrap-up here.
 */
export class WrapUpTracker {
  constructor(
    private readonly deps: {
      cache(): Cache;
      sessions: SessionManager;
      events: EventBus;
      directory: RoutingDirectory;
    },
  ) {
    deps.events.on((name, payload) => {
      const session = deps.sessions.current;
      if (name === 'agent.changed' && session) this.onStatus(session, payload as AgentStatus);
    });
  }

  current(session: ActiveSession): WrapUp {
    const stored = this.deps.cache().meta.get(META_WRAP_UP, Stored);
    const mine =
      stored?.hubUrl === session.hubUrl && stored.agentId === session.stored.agent.id
        ? stored.wrapUp
        : null;
    const status = session.stored.agentStatus;
    if (!status?.wrapUpUntil) return null;
    if (mine) return mine;
    return this.fromStatus(status, null);
  }

  /** A wrap-up event of the signed-in agent, from the stream. */
  async onHubEvent(session: ActiveSession, event: HubEvent): Promise<void> {
    if (event.agentId !== session.stored.agent.id) return;
    if (event.type === 'agent.wrap_up_started') {
      const until = str(event.data.until);
      if (!until) return;
      const queue = event.queueId
        ? await this.deps.directory.queue(session, event.queueId).catch(() => null)
        : null;
      this.save(session, {
        taskId: event.taskId,
        ticketId: event.ticketId,
        queueId: event.queueId,
        queueName: queue?.name ?? null,
        startedAt: event.occurredAt,
        until,
        extended: false,
        topicRequired: event.data.topicRequired === true || (queue?.topicRequired ?? false),
        topics: queue?.topics ?? [],
      });
    } else if (event.type === 'agent.wrap_up_extended') {
      const until = str(event.data.until);
      const now = this.current(session) ?? this.fromStatus(null, until);
      if (now && until) this.save(session, { ...now, until, extended: true });
    } else if (event.type === 'agent.wrap_up_ended') {
      this.save(session, null);
    }
  }

  /** A task was completed through the console: its queue is known at once. */
  async onCompleted(session: ActiveSession, task: Task, status: AgentStatus): Promise<void> {
    if (!status.wrapUpUntil) return this.save(session, null);
    const queue = await this.deps.directory.queue(session, task.queueId).catch(() => null);
    this.save(session, {
      taskId: task.id,
      ticketId: task.ticketId,
      queueId: task.queueId,
      queueName: queue?.name ?? null,
      startedAt: status.since,
      until: status.wrapUpUntil,
      extended: status.wrapUpExtended ?? false,
      topicRequired: queue?.topicRequired ?? false,
      topics: queue?.topics ?? [],
    });
  }

  /** Every status the console learns: wrap-up ends (or its deadline moves) with the hub's word. */
  onStatus(session: ActiveSession, status: AgentStatus): void {
    const stored = this.current(session);
    if (!status.wrapUpUntil) {
      if (stored) this.save(session, null);
      return;
    }
    if (
      stored &&
      stored.until === status.wrapUpUntil &&
      stored.extended === (status.wrapUpExtended ?? false)
    )
      return;
    const base = stored ?? this.fromStatus(status, null);
    if (base)
      this.save(session, {
        ...base,
        until: status.wrapUpUntil,
        extended: status.wrapUpExtended ?? false,
      });
  }

  private fromStatus(status: AgentStatus | null, until: string | null): WrapUp {
    const deadline = status?.wrapUpUntil ?? until;
    if (!deadline) return null;
    return {
      taskId: null,
      ticketId: null,
      queueId: null,
      queueName: null,
      startedAt: status?.since ?? null,
      until: deadline,
      extended: status?.wrapUpExtended ?? false,
      topicRequired: false,
      topics: [],
    };
  }

  private save(session: ActiveSession, wrapUp: WrapUp): void {
    if (this.deps.sessions.current !== session) return;
    const meta = this.deps.cache().meta;
    const before = meta.get(META_WRAP_UP, Stored);
    if (JSON.stringify(before?.wrapUp ?? null) === JSON.stringify(wrapUp)) return;
    if (wrapUp)
      meta.set(META_WRAP_UP, {
        hubUrl: session.hubUrl,
        agentId: session.stored.agent.id,
        wrapUp,
      });
    else meta.delete(META_WRAP_UP);
    this.deps.events.emit('wrapUp.changed', wrapUp);
  }
}
