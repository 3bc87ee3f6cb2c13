import { type Work } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from '../tickets/rows.js';

/** The agent's plate: open tickets assigned to them (offers arrive with the routing engine). */
export async function listWork(q: Query, agentId: string): Promise<Work> {
  const rows = await q<TicketRow>(
    `${TICKET_SELECT} where t.assignee_id = $1 and t.status = 'open' order by t.updated_at desc`,
    [agentId],
  );
  return { offers: [], tickets: rows.map(ticketSummary) };
}
