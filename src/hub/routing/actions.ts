import {
  type AcceptOfferResponse,
  type CompleteTaskResponse,
  type NextResponse,
} from '../../shared/api/index.js';
import { type AgentProfile, type AgentStatus } from '../../shared/domain/index.js';
import { agentStatus } from '../agents/rows.js';
import { lockAgent, refreshAgent } from '../agents/state.js';
import { seesEverything } from '../auth/principal.js';
import { msBetween } from '../clock.js';
import { type HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { completeTask, endWrapUp, extendWrapUp, type EndedBy } from '../tasks/complete.js';
import {
  acceptOffer,
  assignTicket,
  loadTicketSummary,
  rejectOffer,
  requeueTask,
  revokeOffer,
  taskDto,
  type TaskRow,
} from './offers.js';
import { routeBatch } from './router.js';

/** The agent's state after a change, read in the same transaction. */
async function statusOf(ctx: HubContext, agentId: string): Promise<AgentStatus> {
  const rows = await ctx.db.query<Parameters<typeof agentStatus>[0]>(
    'select * from agents where id = $1',
    [agentId],
  );
  return agentStatus(rows[0]!);
}

export async function accept(
  ctx: HubContext,
  agentId: string,
  offerId: string,
): Promise<AcceptOfferResponse> {
  const r = await ctx.tx(async (q) => {
    const res = await acceptOffer(q, agentId, offerId, ctx.clock.now());
    await appendEvents(q, res.events);
    return res;
  });
  return { task: taskDto(r.task), ticket: r.ticket };
}

export async function reject(
  ctx: HubContext,
  agentId: string,
  offerId: string,
  reason: string | null,
): Promise<AgentStatus> {
  await ctx.tx(async (q) => {
    await appendEvents(q, await rejectOffer(q, agentId, offerId, reason, ctx.clock.now()));
  });
  // The task went back to the head of its queue: someone else may take it now.
  await ctx.router.run();
  return statusOf(ctx, agentId);
}

export async function revoke(ctx: HubContext, by: string, offerId: string): Promise<void> {
  await ctx.tx(async (q) => {
    await appendEvents(q, await revokeOffer(q, offerId, ctx.clock.now(), 'supervisor', by));
  });
  await ctx.router.run();
}

/**
 * POST /me/next ("serve next"): the task push routing would give this agent now — from any of
 * their queues, pull-mode ones included — assigned at once. Never a choice.
 */
export async function serveNext(ctx: HubContext, agentId: string): Promise<NextResponse> {
  return ctx.tx(async (q) => {
    const now = ctx.clock.now();
    const agent = await lockAgent(q, agentId);
    if (agent.selected_state !== 'available' || agent.disconnected_at !== null) {
      throw new HubError('invalid_state', 'serve next needs you to be available', {
        state: agent.state,
      });
    }
    const r = await routeBatch(q, now, { onlyAgent: agentId, limit: 200 });
    await appendEvents(q, r.events);
    const first = r.results[0];
    if (!first) return { offer: null, ticket: null, task: null };
    return {
      offer: first.offer,
      task: taskDto(first.task),
      ticket: await loadTicketSummary(q, first.task.ticket_id),
    };
  });
}

async function lockTask(
  ctx: HubContext,
  q: Parameters<Parameters<HubContext['tx']>[0]>[0],
  taskId: string,
): Promise<TaskRow> {
  const rows = await q<TaskRow>(
    `select t.* from tasks t join tickets k on k.id = t.ticket_id where t.id = $1
     for update of t, k`,
    [taskId],
  );
  if (!rows[0]) throw new HubError('not_found', 'task not found');
  return rows[0];
}

/** POST /tasks/{id}/complete: by its agent (or staff). Enters wrap-up when the queue has it. */
export async function complete(
  ctx: HubContext,
  me: AgentProfile,
  taskId: string,
  topic: string | null,
): Promise<CompleteTaskResponse> {
  const r = await ctx.tx(async (q) => {
    const task = await lockTask(ctx, q, taskId);
    if (task.agent_id !== me.id && !seesEverything(me)) {
      throw new HubError('forbidden', 'this task is not yours');
    }
    const events = await completeTask(q, task, ctx.clock.now(), {
      topic,
      by: me.id,
      endedBy: task.agent_id === me.id ? 'agent' : 'supervisor',
      requireTopic: true,
    });
    await appendEvents(q, events);
    const after = (await q<TaskRow>('select * from tasks where id = $1', [taskId]))[0]!;
    return { task: after, agentId: task.agent_id! };
  });
  await ctx.router.run();
  return { task: taskDto(r.task), status: await statusOf(ctx, r.agentId) };
}

export async function wrapUpEnd(
  ctx: HubContext,
  agentId: string,
  topic: string | null,
  endedBy: EndedBy,
  by: string | null,
): Promise<AgentStatus> {
  await ctx.tx(async (q) => {
    await lockAgent(q, agentId);
    await appendEvents(q, await endWrapUp(q, agentId, ctx.clock.now(), { topic, endedBy, by }));
  });
  await ctx.router.run();
  return statusOf(ctx, agentId);
}

export async function wrapUpExtend(
  ctx: HubContext,
  agentId: string,
  seconds: number | undefined,
): Promise<AgentStatus> {
  await ctx.tx(async (q) => {
    await appendEvents(q, await extendWrapUp(q, agentId, ctx.clock.now(), seconds));
  });
  return statusOf(ctx, agentId);
}

/**
 * Supervisor: move a task to an agent (assigned at once, capacity not checked — it is an
 * override) or to another queue (queued there, keeping its entry time).
 */
export async function reassign(
  ctx: HubContext,
  by: string,
  taskId: string,
  target: { agentId?: string | undefined; queueId?: string | undefined },
): Promise<void> {
  await ctx.tx(async (q) => {
    const now = ctx.clock.now();
    const task = await lockTask(ctx, q, taskId);
    if (!['queued', 'offered', 'assigned'].includes(task.status)) {
      throw new HubError('invalid_state', `the task is ${task.status}`, { status: task.status });
    }
    const events: NewEvent[] = [];
    const fromAgent = task.agent_id;
    if (task.status === 'offered') {
      const pending = await q<{ id: string }>(
        `select id from offers where task_id = $1 and status = 'pending'`,
        [taskId],
      );
      if (pending[0]) events.push(...(await revokeOffer(q, pending[0].id, now, 'supervisor', by)));
    } else if (task.status === 'assigned') {
      events.push(...(await requeueTask(q, task, now, 'supervisor')));
      if (fromAgent) events.push(...(await refreshAgent(q, fromAgent, now, 'supervisor')).events);
    }
    const fresh = await lockTask(ctx, q, taskId);
    if (target.queueId) {
      const ok = await q('select 1 from queues where id = $1', [target.queueId]);
      if (ok.length === 0) throw new HubError('not_found', 'queue not found');
      await q('update tasks set queue_id = $2 where id = $1', [taskId, target.queueId]);
      await q('update tickets set queue_id = $2 where id = $1', [task.ticket_id, target.queueId]);
    } else if (target.agentId) {
      await lockAgent(q, target.agentId);
      const moved = (
        await q<TaskRow>(
          `update tasks set status = 'assigned', agent_id = $2, assigned_at = $3 where id = $1 returning *`,
          [taskId, target.agentId, now],
        )
      )[0]!;
      await q(
        `insert into offers (task_id, agent_id, status, auto_accepted, offered_at, expires_at, answered_at, reason)
         values ($1, $2, 'accepted', true, $3, $3, $3, 'supervisor')`,
        [taskId, target.agentId, now],
      );
      events.push(
        ...(await assignTicket(q, moved, target.agentId, {
          via: 'supervisor',
          autoAccepted: true,
          waitMs: msBetween(fresh.created_at, now),
          ringMs: 0,
          by,
        })),
      );
      events.push(...(await refreshAgent(q, target.agentId, now, 'supervisor')).events);
    }
    events.push({
      type: 'task.transferred',
      agentId: target.agentId ?? fromAgent,
      ticketId: task.ticket_id,
      taskId,
      queueId: target.queueId ?? task.queue_id,
      data: {
        channel: task.channel,
        by,
        fromAgentId: fromAgent,
        toAgentId: target.agentId ?? null,
        fromQueueId: task.queue_id,
        toQueueId: target.queueId ?? task.queue_id,
        kind: target.agentId ? 'agent' : 'queue',
      },
    });
    await appendEvents(q, events);
  });
  await ctx.router.run();
}
