import { type TicketDetail, type AgentProfile } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { assertTicketAccess } from './access.js';
import { loadCustomer, loadTicket, message, type MessageRow, ticketSummary } from './rows.js';

export async function readTicket(
  q: Query,
  agent: AgentProfile,
  ticketId: string,
): Promise<TicketDetail> {
  const row = assertTicketAccess(agent, await loadTicket(q, ticketId));
  const messages = await q<MessageRow>(
    'select * from messages where ticket_id = $1 order by created_at, id',
    [ticketId],
  );
  return {
    ticket: ticketSummary(row),
    customer: await loadCustomer(q, row.customer_id),
    messages: messages.map(message),
  };
}
