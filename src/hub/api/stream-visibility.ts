import { type HubEvent } from '../../shared/api/index.js';
import { type AgentProfile } from '../../shared/domain/index.js';
import { seesEverything } from '../auth/principal.js';

/** Told when a ticket enters or leaves a stream's "my tickets" (StreamAudience's member). */
export interface TicketWatch {
  watch(ticketId: string): void;
  unwatch(ticketId: string): void;
}

const unwatched: TicketWatch = { watch: () => {}, unwatch: () => {} };

/**
 * Decides which events one stream client receives. Supervisors and admins see everything; an
 * agent sees events about themselves (agentId) and about tickets assigned to them. The set of
 * "my tickets" starts from the database and follows ticket.assigned / reopen events as they pass,
 * so a ticket's later messages reach its new assignee and stop reaching the old one. Only an
 * event that names the agent or one of their tickets can change that set, which is what lets
 * the hub hand a stream only those events (StreamAudience).
 */
export class StreamVisibility {
  private readonly all: boolean;

  constructor(
    private readonly agent: AgentProfile,
    private readonly myTickets: Set<string>,
    private readonly tickets: TicketWatch = unwatched,
  ) {
    this.all = seesEverything(agent);
    for (const id of myTickets) tickets.watch(id);
  }

  /** Whether every event is visible (supervisors, admins). */
  get everything(): boolean {
    return this.all;
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
      if (movesTicket && mine) this.add(ticket);
      else if (movesTicket && aboutMyTicket) this.delete(ticket);
      // Work returned to the queue (agent disconnected, supervisor): the former assignee hears it,
      // then nothing more about the ticket.
      else if (event.type === 'ticket.unassigned') this.delete(ticket);
    }
    // The previous owner still hears that their ticket went elsewhere.
    return mine || aboutMyTicket;
  }

  private add(ticket: string): void {
    this.myTickets.add(ticket);
    this.tickets.watch(ticket);
  }

  private delete(ticket: string): void {
    if (this.myTickets.delete(ticket)) this.tickets.unwatch(ticket);
  }
}
