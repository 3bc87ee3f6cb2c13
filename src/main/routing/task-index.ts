import { z } from 'zod';
import { type HubEvent } from '../../shared/api/events.js';
import { type Cache } from '../cache/cache.js';
import { type ActiveSession } from '../session/session-manager.js';

const META_TASKS = 'routing.tasks';
const LIMIT = 200;
const Stored = z.object({
  hubUrl: z.string(),
  agentId: z.string(),
  /** [ticketId, taskId], newest last. */
  entries: z.array(z.tuple([z.string(), z.string()])),
});

/**
 * Which task is behind each of the agent's tickets, learnt from assignments (stream events,
 * accepted offers, serve next), so the console can complete a ticket's task with a topic. The hub
 * does not list an agent's tasks; the newest assignment of a ticket wins. Kept in the cache.
 */
export class TaskIndex {
  constructor(private readonly cache: () => Cache) {}

  private read(session: ActiveSession): [string, string][] {
    const stored = this.cache().meta.get(META_TASKS, Stored);
    return stored?.hubUrl === session.hubUrl && stored.agentId === session.stored.agent.id
      ? stored.entries
      : [];
  }

  remember(session: ActiveSession, ticketId: string, taskId: string): void {
    const entries = this.read(session).filter(([ticket]) => ticket !== ticketId);
    entries.push([ticketId, taskId]);
    this.cache().meta.set(META_TASKS, {
      hubUrl: session.hubUrl,
      agentId: session.stored.agent.id,
      entries: entries.slice(-LIMIT),
    });
  }

  taskOf(session: ActiveSession, ticketId: string): string | null {
    return this.read(session).find(([ticket]) => ticket === ticketId)?.[1] ?? null;
  }

  onHubEvent(session: ActiveSession, event: HubEvent): void {
    if (
      event.type === 'task.assigned' &&
      event.agentId === session.stored.agent.id &&
      event.ticketId &&
      event.taskId
    )
      this.remember(session, event.ticketId, event.taskId);
  }
}
