import { z } from 'zod';
import { PauseReason, Queue } from '../../shared/domain/index.js';
import { type Cache } from '../cache/cache.js';
import { type ActiveSession, type SessionManager } from '../session/session-manager.js';
import { isUnreachable } from '../sync/hub-client.js';

const META_QUEUES = 'routing.queues';
const META_PAUSE_REASONS = 'routing.pauseReasons';

const Stored = <S extends z.ZodType>(item: S) =>
  z.object({ hubUrl: z.string(), items: z.array(item) });

/**
 * Queues (mode, topics, wrap-up) and pause reasons as the hub last said, kept in the cache's meta
 * table per hub so the state menu and the wrap-up bar still work while the hub is unreachable.
 */
export class RoutingDirectory {
  constructor(private readonly deps: { cache(): Cache; sessions: SessionManager }) {}

  private read<S extends z.ZodType>(key: string, item: S, hubUrl: string): z.output<S>[] {
    const stored = this.deps.cache().meta.get(key, Stored(item));
    return stored && stored.hubUrl === hubUrl ? stored.items : [];
  }

  cachedQueues(session: ActiveSession): Queue[] {
    return this.read(META_QUEUES, Queue, session.hubUrl);
  }

  /** Fresh from the hub (and cached), or the cached list when the hub is unreachable. */
  async queues(session: ActiveSession): Promise<Queue[]> {
    try {
      const items = await session.client.queues();
      if (this.deps.sessions.current === session)
        this.deps.cache().meta.set(META_QUEUES, { hubUrl: session.hubUrl, items });
      return items;
    } catch (error) {
      if (isUnreachable(error)) return this.cachedQueues(session);
      return this.deps.sessions.handleHubError(error);
    }
  }

  /** A queue by id; the hub is asked again when it is not cached (a queue created meanwhile). */
  async queue(session: ActiveSession, queueId: string): Promise<Queue | null> {
    const cached = this.cachedQueues(session).find((q) => q.id === queueId);
    if (cached) return cached;
    const fresh = await this.queues(session).catch(() => []);
    return fresh.find((q) => q.id === queueId) ?? null;
  }

  async pauseReasons(session: ActiveSession): Promise<PauseReason[]> {
    try {
      const items = (await session.client.pauseReasons()).map((r) => ({
        code: r.code,
        label: r.label,
        system: r.system ?? false,
        enabled: r.enabled ?? true,
      }));
      if (this.deps.sessions.current === session)
        this.deps.cache().meta.set(META_PAUSE_REASONS, { hubUrl: session.hubUrl, items });
      return items;
    } catch (error) {
      if (isUnreachable(error)) return this.read(META_PAUSE_REASONS, PauseReason, session.hubUrl);
      return this.deps.sessions.handleHubError(error);
    }
  }
}
