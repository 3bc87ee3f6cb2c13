import { type Offer, type Work } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { iso } from '../time.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from '../tickets/rows.js';

/** The agent's plate: the pending offer (at most one) and open tickets assigned to them. */
export async function listWork(q: Query, agentId: string): Promise<Work> {
  const rows = await q<TicketRow>(
    `${TICKET_SELECT} where t.assignee_id = $1 and t.status = 'open' order by t.updated_at desc`,
    [agentId],
  );
  const offers = await q<
    TicketRow & {
      offer_id: string;
      task_id: string;
      offered_at: Date;
      expires_at: Date;
      task_queue: string;
      task_channel: Offer['channel'];
    }
  >(
    `select t.*, c.name as customer_name, o.id as offer_id, o.task_id, o.offered_at, o.expires_at,
       x.queue_id as task_queue, x.channel as task_channel
     from offers o join tasks x on x.id = o.task_id join tickets t on t.id = x.ticket_id
     join customers c on c.id = t.customer_id
     where o.agent_id = $1 and o.status = 'pending' order by o.offered_at`,
    [agentId],
  );
  return {
    offers: offers.map((o) => ({
      id: o.offer_id,
      taskId: o.task_id,
      ticket: ticketSummary(o),
      offeredAt: iso(o.offered_at),
      expiresAt: iso(o.expires_at),
      queueId: o.task_queue,
      channel: o.task_channel,
    })),
    tickets: rows.map(ticketSummary),
  };
}
