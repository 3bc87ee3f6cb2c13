import { type AgentProfile, type TicketSummary } from '../../shared/domain/index.js';
import { refreshAgent, refreshRead, type RefreshRow } from '../agents/state.js';
import { msBetween } from '../clock.js';
import { type HubContext } from '../context.js';
import { readTogether, writeLater } from '../db/db.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { type TaskRow } from '../routing/offers.js';
import { type QueueRow } from '../routing/queues.js';
import { completeTask } from '../tasks/complete.js';
import { cancelTimer } from '../timers/store.js';
import { iso } from '../time.js';
import { assertTicketAccess } from './access.js';
import { ticketSummary, type TicketRow } from './rows.js';

/**
 * Closes a ticket. Its assigned task is completed — with wrap-up when the queue has wrap-up time
 * (the agent enters `wrap_up`; a topic can be given when ending it); without wrap-up, a queue that
 * requires a topic needs it here (422 topic_required otherwise) — a queued task is canceled,
 * a pending offer is revoked and its task canceled. Routing runs so freed capacity is used.
 * Closing a closed ticket returns it unchanged. The assignee stays on the closed ticket so a
 * reopen can go back to them.
 */
export async function closeTicket(
  ctx: HubContext,
  agent: AgentProfile,
  ticketId: string,
  opts: { topic?: string | null } = {},
): Promise<TicketSummary> {
  const { summary } = await ctx.txThenRoute(
    async (q) => {
      const now = ctx.clock.now();
      // One round trip: the ticket, its live tasks and the closing agent (as the refresh after
      // completing their task needs them), each locked in the hub's lock order.
      // With the transaction's now(): the closing update's timestamps, known here, let that
      // update be held back to the final statement (nothing else in here changes the ticket).
      // With each task its queue (completing needs its wrap-up and topic rules).
      const [ticketRows, taskRows, agentRows] = await readTogether(q, [
        {
          text: `select t.*, c.name as customer_name, now() as tx_now
          from tickets t join customers c on c.id = t.customer_id
          where t.id = $1 for update of t`,
          values: [ticketId],
        },
        {
          text: `select t.*, to_jsonb(qu) as queue_row from tasks t join queues qu on qu.id = t.queue_id
          where t.ticket_id = $1 and t.status in ('queued', 'offered', 'assigned')
          order by t.created_at for update of t`,
          values: [ticketId],
        },
        refreshRead([agent.id]),
      ]);
      const locked = ticketRows![0] as (TicketRow & { tx_now: Date }) | undefined;
      const row = assertTicketAccess(agent, locked);
      const txNow = locked!.tx_now;
      if (row.status === 'closed') return { summary: ticketSummary(row), freed: false };
      const tasks = taskRows as (TaskRow & { queue_row: QueueRow })[];
      // Good for one completion only: the next would need this one's effect on the agent.
      let refreshed = agentRows![0] as RefreshRow | undefined;
      const events: NewEvent[] = [];
      let freed = false;
      for (const { queue_row: queue, ...task } of tasks) {
        if (task.status === 'assigned') {
          events.push(
            ...(await completeTask(q, task, now, {
              queue,
              topic: opts.topic ?? null,
              by: agent.id,
              endedBy: 'close',
              // Without wrap-up time, closing is the last chance to give a required topic.
              requireTopic: true,
              ...(refreshed ? { refreshed } : {}),
            })),
          );
          freed = true;
          refreshed = undefined;
          continue;
        }
        // Queued or offered: nobody worked on it; it is canceled (a pending offer is revoked).
        const offers = await q<{ id: string; agent_id: string; offered_at: Date }>(
          `update offers set status = 'revoked', answered_at = $2, reason = 'ticket_closed'
         where task_id = $1 and status = 'pending' returning id, agent_id, offered_at`,
          [task.id, now],
        );
        await writeLater(
          q,
          `update tasks set status = 'canceled', agent_id = null, completed_at = $2 where id = $1`,
          [task.id, now],
        );
        await cancelTimer(q, `maxwait:${task.id}`);
        const ids = { ticketId, taskId: task.id, queueId: task.queue_id };
        for (const o of offers) {
          await cancelTimer(q, `offer:${o.id}`);
          events.push({
            type: 'offer.revoked',
            ...ids,
            agentId: o.agent_id,
            data: {
              offerId: o.id,
              channel: task.channel,
              ringMs: msBetween(o.offered_at, now),
              waitMs: msBetween(task.created_at, now),
              reason: 'ticket_closed',
            },
          });
          events.push(...(await refreshAgent(q, o.agent_id, now, 'routing')).events);
          freed = true;
        }
        events.push({
          type: 'task.completed',
          ...ids,
          agentId: null,
          data: {
            status: 'canceled',
            channel: task.channel,
            closedBy: agent.id,
            enteredAt: iso(task.created_at),
            waitMs: msBetween(task.created_at, now),
          },
        });
      }
      await writeLater(
        q,
        `update tickets set status = 'closed', closed_at = now(), version = version + 1,
         updated_at = now() where id = $1`,
        [ticketId],
      );
      const summary = ticketSummary({
        ...row,
        status: 'closed',
        closed_at: txNow,
        version: Number(row.version) + 1,
        updated_at: txNow,
      });
      events.push({
        type: 'ticket.closed',
        agentId: summary.assigneeId,
        ticketId,
        queueId: summary.queueId,
        data: { ticket: summary, closedBy: agent.id },
      });
      await appendEvents(q, events);
      return { summary, freed };
    },
    (r) => r.freed,
  );
  return summary;
}
