import { type HubEvent } from '../../shared/api/index.js';
import { type AgentProfile } from '../../shared/domain/index.js';
import { seesEverything } from '../auth/principal.js';

/**
 * Decides which events one stream client receives. Supervisors and admins see everything; an
 * agent sees events about themselves (agentId) and about tickets assigned to them. The set of
 * "my tickets" starts from the database and follows ticket.assigned / reopen events as they pass,
 * so a ticket's later messages reach its new assignee and stop reaching the old one.
 */
export class StreamVisibility {
  private readonly all: boolean;

  constructor(
    private readonly agent: AgentProfile,
    private readonly myTickets: Set<string>,
  ) {
    this.all = seesEverything(agent);
  }

  sees(event: HubEvent): boolean {
    if (this.all) return true;
    const mine = event.agentId === this.agent.id;
    const ticket = event.ticketId;
    const aboutMyTicket = ticket !== null && this.myTickets.has(ticket);
    if (ticket !== null) {
      const movesTicket =
        event.type === 'ticket.assigned' ||
        event.type === 'ticket.reopened' ||
        event.type === 'ticket.created';
      if (movesTicket && mine) this.myTickets.add(ticket);
      else if (movesTicket && aboutMyTicket) this.myTickets.delete(ticket);
      // Work returned to the queue (agent disconnected, supervisor): the former assignee hears it,
      // then nothing more about the ticket.
      else if (event.type === 'ticket.unassigned') this.myTickets.delete(ticket);
    }
    // The previous owner still hears that their ticket went elsewhere.
    return mine || aboutMyTicket;
  }
}
