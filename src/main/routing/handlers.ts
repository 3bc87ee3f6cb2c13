import { type BridgeHandlers } from '../../shared/bridge/server.js';
import { type routingCalls } from '../../shared/bridge/routing.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type AgentStatus } from '../../shared/domain/index.js';
import { type EventBus } from '../event-bus.js';
import { type Logger } from '../logger.js';
import { type ActiveSession, type SessionManager } from '../session/session-manager.js';
import { type WorkSync } from '../sync/work-sync.js';
import { type RoutingDirectory } from './directory.js';
import { type TaskIndex } from './task-index.js';
import { type WrapUpTracker } from './wrap-up.js';

export interface RoutingHandlerDeps {
  sessions: SessionManager;
  events: EventBus;
  logger: Logger;
  sync(): WorkSync;
  directory: RoutingDirectory;
  wrapUps: WrapUpTracker;
  tasks: TaskIndex;
}

type RoutingHandlers = Pick<BridgeHandlers, keyof typeof routingCalls>;

/** The hub said the offer is no longer pending (answered, timed out or revoked meanwhile). */
const offerGone = (error: unknown): boolean =>
  error instanceof BridgeError &&
  ((error.details as { code?: unknown } | undefined)?.code === 'offer_not_pending' ||
    error.code === 'not_found');

/**
 * The routing calls of the bridge: each goes to the hub (which owns every timer and decision),
 * then the console's view follows — the status, the work list, the wrap-up.
 */
export function routingHandlers(deps: RoutingHandlerDeps): RoutingHandlers {
  const { sessions, events } = deps;
  const hubError = (error: unknown) => sessions.handleHubError(error);

  const session = async (): Promise<ActiveSession> => {
    await sessions.ready();
    return sessions.require();
  };

  const applyStatus = (s: ActiveSession, status: AgentStatus): AgentStatus => {
    sessions.updateStored(s, { agentStatus: status });
    if (sessions.current === s) events.emit('agent.changed', status);
    return status;
  };

  /** The stream will say the same; refreshing now keeps the console from lagging behind it. */
  const refreshWork = async (s: ActiveSession) => {
    await deps
      .sync()
      .refreshWork(s)
      .catch((error: unknown) => deps.logger.warn('could not refresh the work list', { error }));
  };

  return {
    'offers.accept': async ({ offerId }) => {
      const s = await session();
      let result;
      try {
        result = await s.client.acceptOffer(offerId);
      } catch (error) {
        // A stale card (the offer timed out a moment ago): drop it, then tell the agent.
        if (offerGone(error)) await refreshWork(s);
        return hubError(error);
      }
      deps.tasks.remember(s, result.ticket.id, result.task.id);
      // The ticket is the agent's now: its conversation is cached before the card turns into it.
      await deps
        .sync()
        .refreshTicket(s, result.ticket.id)
        .catch(() => null);
      await refreshWork(s);
      return result;
    },
    'offers.reject': async ({ offerId, reason }) => {
      const s = await session();
      let status;
      try {
        status = await s.client.rejectOffer(offerId, reason);
      } catch (error) {
        if (offerGone(error)) await refreshWork(s);
        return hubError(error);
      }
      await refreshWork(s);
      return applyStatus(s, status);
    },
    'work.next': async () => {
      const s = await session();
      const result = await s.client.serveNext().catch(hubError);
      if (result.task) deps.tasks.remember(s, result.task.ticketId, result.task.id);
      if (result.ticket) {
        await deps
          .sync()
          .refreshTicket(s, result.ticket.id)
          .catch(() => null);
      }
      if (result.ticket || result.offer) await refreshWork(s);
      return result;
    },
    'tasks.complete': async ({ taskId: byId, ticketId, topic }) => {
      const s = await session();
      const taskId = byId ?? (ticketId ? deps.tasks.taskOf(s, ticketId) : null);
      if (!taskId) {
        throw new BridgeError('not_found', 'this console does not know the task of that ticket');
      }
      const result = await s.client.completeTask(taskId, topic).catch(hubError);
      await deps.wrapUps.onCompleted(s, result.task, result.status);
      applyStatus(s, result.status);
      await refreshWork(s);
      return result;
    },
    'wrapUp.get': async () => deps.wrapUps.current(await session()),
    'wrapUp.end': async ({ topic }) => {
      const s = await session();
      return applyStatus(s, await s.client.endWrapUp(topic).catch(hubError));
    },
    'wrapUp.extend': async ({ seconds }) => {
      const s = await session();
      return applyStatus(s, await s.client.extendWrapUp(seconds).catch(hubError));
    },
    'pauseReasons.list': async () => deps.directory.pauseReasons(await session()),
    'queues.list': async () => deps.directory.queues(await session()),
  };
}
