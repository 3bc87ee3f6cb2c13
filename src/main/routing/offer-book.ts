import { type HubEvent } from '../../shared/api/events.js';
import { Offer } from '../../shared/domain/index.js';

/** Outcomes that end an offer: it leaves the console. */
const ENDED = new Set<HubEvent['type']>([
  'offer.accepted',
  'offer.rejected',
  'offer.timed_out',
  'offer.revoked',
]);

export interface OfferChange {
  offers: Offer[];
  /** Set when the event brought a new offer (the console rings). */
  created: Offer | null;
}

/**
 * What an offer event of the signed-in agent does to their pending offers. Null when it changes
 * nothing (an event of another agent, a replayed one, or an outcome of an offer not shown).
 * Offers are live reservations: they are kept in memory only and re-read after every reconnect.
 */
export function applyOfferEvent(offers: Offer[], event: HubEvent, me: string): OfferChange | null {
  if (event.agentId !== me) return null;
  if (event.type === 'offer.created') {
    const offer = Offer.safeParse(event.data.offer);
    if (!offer.success || offers.some((o) => o.id === offer.data.id)) return null;
    // An offer that expired while the console was away (replayed backlog) is not shown.
    if (Date.parse(offer.data.expiresAt) <= Date.now()) return null;
    return { offers: [...offers, offer.data], created: offer.data };
  }
  if (ENDED.has(event.type)) {
    const id = typeof event.data.offerId === 'string' ? event.data.offerId : null;
    if (!id || !offers.some((o) => o.id === id)) return null;
    return { offers: offers.filter((o) => o.id !== id), created: null };
  }
  return null;
}

/** An offer outcome or assignment the agent decided themselves: no chime for it. */
export function isOwnDecision(event: HubEvent): boolean {
  return (
    event.type === 'task.assigned' &&
    (event.data.autoAccepted === false || event.data.via === 'serve_next')
  );
}
