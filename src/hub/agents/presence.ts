import { type HeartbeatResponse } from '../../shared/api/index.js';
import { addMs, toDate } from '../clock.js';
import { type HubContext } from '../context.js';
import { type Query } from '../db/db.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { requeueTask, revokeAgentOffers, type TaskRow } from '../routing/offers.js';
import { endWrapUp } from '../tasks/complete.js';
import { cancelTimer, scheduleTimer } from '../timers/store.js';
import { agentStatus } from './rows.js';
import { lockAgent, refreshAgent } from './state.js';

export interface PresenceConfig {
  heartbeatIntervalMs: number;
  /** No heartbeat for this long → disconnected, pending offers revoked. */
  disconnectAfterMs: number;
  /** Disconnected this long more → assigned tickets go back to their queues. */
  returnWorkAfterMs: number;
}

export const DEFAULT_PRESENCE: PresenceConfig = {
  heartbeatIntervalMs: 10_000,
  disconnectAfterMs: 30_000,
  returnWorkAfterMs: 120_000,
};

/**
 * POST /me/heartbeat. The first heartbeat of a session starts presence supervision (a console
 * that never sends one is not supervised); each one moves the agent's `presence:` timer. A
 * heartbeat from a disconnected agent reconnects them (and cancels the return of their work).
 */
export async function heartbeat(ctx: HubContext, agentId: string): Promise<HeartbeatResponse> {
  const cfg = ctx.config.presence;
  const now = ctx.clock.now();
  const { status, reconnected } = await ctx.tx(async (q) => {
    const row = await lockAgent(q, agentId);
    await q('update agents set last_heartbeat_at = $2, disconnected_at = null where id = $1', [
      agentId,
      now,
    ]);
    await scheduleTimer(q, {
      key: `presence:${agentId}`,
      kind: 'presence_lost',
      dueAt: addMs(now, cfg.disconnectAfterMs),
      agentId,
    });
    const wasDisconnected = row.disconnected_at !== null;
    if (wasDisconnected) await cancelTimer(q, `return:${agentId}`);
    const refreshed = await refreshAgent(q, agentId, now, 'heartbeat');
    await appendEvents(q, refreshed.events);
    return { status: agentStatus(refreshed.row), reconnected: wasDisconnected };
  });
  if (reconnected) await ctx.router.run({ probe: true });
  return {
    intervalMs: cfg.heartbeatIntervalMs,
    disconnectAfterMs: cfg.disconnectAfterMs,
    returnWorkAfterMs: cfg.returnWorkAfterMs,
    status,
  };
}

/** Timer: heartbeats stopped. */
export async function presenceLost(
  q: Query,
  agentId: string,
  now: Date,
  cfg: PresenceConfig,
): Promise<NewEvent[]> {
  const row = await lockAgent(q, agentId);
  if (row.selected_state === 'logged_out' || row.disconnected_at !== null) return [];
  const last = row.last_heartbeat_at ? toDate(row.last_heartbeat_at) : null;
  if (last && last.getTime() + cfg.disconnectAfterMs > now.getTime()) return [];
  await q('update agents set disconnected_at = $2 where id = $1', [agentId, now]);
  const events = await revokeAgentOffers(q, agentId, now, 'agent_disconnected');
  await scheduleTimer(q, {
    key: `return:${agentId}`,
    kind: 'return_work',
    dueAt: addMs(now, cfg.returnWorkAfterMs),
    agentId,
  });
  events.push(...(await refreshAgent(q, agentId, now, 'heartbeat_lost')).events);
  return events;
}

/** Timer: still disconnected after the second grace period — their work goes back to the queues. */
export async function returnWork(q: Query, agentId: string, now: Date): Promise<NewEvent[]> {
  const row = await lockAgent(q, agentId);
  if (row.disconnected_at === null) return [];
  const events: NewEvent[] = [];
  if (row.wrap_until !== null) {
    events.push(...(await endWrapUp(q, agentId, now, { topic: null, endedBy: 'disconnected' })));
  }
  const tasks = await q<TaskRow>(
    `select t.* from tasks t join tickets k on k.id = t.ticket_id
     where t.agent_id = $1 and t.status = 'assigned' order by t.created_at for update of t, k`,
    [agentId],
  );
  for (const task of tasks) events.push(...(await requeueTask(q, task, now, 'agent_disconnected')));
  events.push(...(await refreshAgent(q, agentId, now, 'work_returned')).events);
  return events;
}

/** Logout of the last session: no presence supervision for someone who is not there. */
export async function stopPresence(q: Query, agentId: string): Promise<void> {
  await cancelTimer(q, `presence:${agentId}`);
  await cancelTimer(q, `return:${agentId}`);
  await q('update agents set disconnected_at = null where id = $1', [agentId]);
}
