import { type AgentProfile } from '../../shared/domain/index.js';
import { seesEverything } from '../auth/principal.js';
import { HubError } from '../errors.js';
import { type TicketRow } from './rows.js';

/** Agents work on the tickets assigned to them; supervisors and admins on any ticket. */
export function assertTicketAccess(agent: AgentProfile, ticket: TicketRow | undefined): TicketRow {
  if (!ticket) throw new HubError('not_found', 'ticket not found');
  if (ticket.assignee_id !== agent.id && !seesEverything(agent)) {
    throw new HubError('forbidden', 'this ticket is not assigned to you');
  }
  return ticket;
}
