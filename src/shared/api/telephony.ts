import { z } from 'zod';
import { Customer, TicketSummary } from '../domain/ticket.js';

/**
 * Telephony and customer-lookup shapes of the hub API (softphone, issue 5). Kept in their own
 * module so the routing engine's files stay untouched.
 */

/** GET /api/v1/me/sip: what the console needs to register its SIP user agent. */
export const SipSettings = z.object({
  enabled: z.boolean(),
  /** SIP user (the agent's extension), e.g. `agent1`. */
  username: z.string(),
  domain: z.string(),
  /** WebSocket URL of Kamailio (wss:// in production). */
  wsUrl: z.string(),
  displayName: z.string(),
  /**
   * MD5(username:domain:secret). The console authenticates with it (sip.js `authorizationHa1`);
   * the plain secret never leaves the hub. Main keeps it in the SecretStore, never in the UI.
   */
  ha1: z.string().regex(/^[0-9a-f]{32}$/),
});
export type SipSettings = z.infer<typeof SipSettings>;

/** GET /api/v1/telephony/sip-auth?user=… (Kamailio, with the telephony key). */
export const SipAuthResponse = z.object({ ha1: z.string() });

export const CustomerMatch = z.object({
  customer: Customer,
  /** Open tickets of the customer, newest first. */
  openTickets: z.array(TicketSummary),
});
export type CustomerMatch = z.infer<typeof CustomerMatch>;

/** GET /api/v1/customers?phone=…: every customer with that phone (0, 1 or several). */
export const CustomerSearchResponse = z.object({
  phone: z.string(),
  matches: z.array(CustomerMatch),
});
export type CustomerSearchResponse = z.infer<typeof CustomerSearchResponse>;

export const CallState = z.enum(['waiting', 'ringing', 'connected', 'ended']);

/** One queue call as the hub saw it (GET /api/v1/telephony/calls, supervisors and tests). */
export const CallRecord = z.object({
  id: z.string().uuid(),
  callId: z.string(),
  queue: z.string(),
  from: z.string(),
  state: CallState,
  taskId: z.string().uuid().nullable(),
  ticketId: z.string().uuid().nullable(),
  customerId: z.string().uuid().nullable(),
  agentId: z.string().uuid().nullable(),
  /** Every agent the call was offered to (rang), in order. */
  offeredTo: z.array(z.string().uuid()),
  enteredAt: z.string().datetime(),
  answeredAt: z.string().datetime().nullable(),
  endedAt: z.string().datetime().nullable(),
  /** completed_caller | completed_agent | abandoned | short_abandoned | max_wait | after_hours | queue_full | transferred | no_agent */
  outcome: z.string().nullable(),
  callbackTaskId: z.string().uuid().nullable(),
});
export type CallRecord = z.infer<typeof CallRecord>;
