import { type CustomerMatch } from '../../../shared/api/telephony.js';

/**
 * The hub files every caller under a customer (created from the number when unknown). One known
 * only by that number — no name, no e-mail — is a *new customer* to the agent, so the screen pop
 * shows: none known → "new customer"; one → that customer; several → a chooser.
 */
export function knownCustomers(matches: readonly CustomerMatch[]): CustomerMatch[] {
  return matches.filter((m) => m.customer.name || m.customer.email);
}
