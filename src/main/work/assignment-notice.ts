import { type Notification } from '../../shared/bridge/contract.js';
import { type TicketDetail } from '../../shared/domain/index.js';

/** What the agent sees (OS notification and in-app toast) when a ticket is pushed to them. */
export function assignmentNotice(detail: TicketDetail): Notification {
  const { ticket, customer } = detail;
  const who = customer.name ?? ticket.customerName ?? customer.email ?? customer.phone ?? null;
  return {
    kind: 'assignment',
    title: `New ticket #${ticket.number}`,
    body: who ? `${ticket.subject} — ${who}` : ticket.subject,
    ticketId: ticket.id,
  };
}
