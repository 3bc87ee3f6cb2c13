import { type Notification } from '../../shared/bridge/contract.js';
import { type Offer } from '../../shared/domain/index.js';

/**
 * What the agent sees and hears when work is offered (kind 'offer': the renderer rings and shows
 * the offer card; main's text is the fallback the renderer localises).
 */
export function offerNotice(offer: Offer, queueName: string | null): Notification {
  const { ticket } = offer;
  const where = [queueName, offer.channel].filter(Boolean).join(' · ');
  const who = ticket.customerName ? ` — ${ticket.customerName}` : '';
  return {
    kind: 'offer',
    title: `Offer: ticket #${ticket.number}${where ? ` (${where})` : ''}`,
    body: `${ticket.subject}${who}`,
    ticketId: ticket.id,
    offerId: offer.id,
  };
}
