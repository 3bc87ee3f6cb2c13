import { type AgentProfile, type TicketSummary } from '../../shared/domain/index.js';
import { type HubContext } from '../context.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { assertTicketAccess } from './access.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from './rows.js';

/**
 * Closes a ticket: its assigned task is completed (a still-queued one is canceled), which frees
 * the agent's capacity, and routing runs so the freed slot is filled. Closing a closed ticket
 * returns it unchanged. The assignee stays on the closed ticket so a reopen can go back to them.
 */
export async function closeTicket(
  ctx: HubContext,
  agent: AgentProfile,
  ticketId: string,
): Promise<TicketSummary> {
  const { summary, freed } = await ctx.tx(async (q) => {
    const row = assertTicketAccess(
      agent,
      (await q<TicketRow>(`${TICKET_SELECT} where t.id = $1 for update of t`, [ticketId]))[0],
    );
    if (row.status === 'closed') return { summary: ticketSummary(row), freed: false };
    const updated = await q<TicketRow>(
      `update tickets set status = 'closed', closed_at = now(), version = version + 1,
         updated_at = now() where id = $1 returning *`,
      [ticketId],
    );
    const summary = ticketSummary({ ...updated[0]!, customer_name: row.customer_name });
    const tasks = await q<{
      id: string;
      agent_id: string | null;
      queue_id: string;
      status: string;
    }>(
      `update tasks set status = case when status = 'queued' then 'canceled' else 'completed' end,
         completed_at = now()
       where ticket_id = $1 and status in ('queued', 'offered', 'assigned')
       returning id, agent_id, queue_id, status`,
      [ticketId],
    );
    const events: NewEvent[] = tasks.map((t) => ({
      type: 'task.completed',
      agentId: t.agent_id,
      ticketId,
      taskId: t.id,
      queueId: t.queue_id,
      data: { status: t.status, closedBy: agent.id },
    }));
    events.push({
      type: 'ticket.closed',
      agentId: summary.assigneeId,
      ticketId,
      queueId: summary.queueId,
      data: { ticket: summary, closedBy: agent.id },
    });
    await appendEvents(q, events);
    return { summary, freed: tasks.some((t) => t.agent_id !== null) };
  });
  if (freed) await ctx.router.run();
  return summary;
}
