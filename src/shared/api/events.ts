import { z } from 'zod';

/**
 * The event log's vocabulary. Modelled on Asterisk's queue_log and extended; the routing issue
 * adds offers, wrap-up and the rest. Every event is one row of the hub's append-only table.
 */
export const EventType = z.enum([
  'agent.login',
  'agent.logout',
  'agent.state_changed',
  'customer.created',
  'ticket.created',
  'ticket.reopened',
  'ticket.assigned',
  'ticket.closed',
  'message.received',
  'message.sent',
  'task.queued',
  'task.assigned',
  'task.completed',
  // Routing engine (see docs/metrics-events.md for the data each carries and the metrics it feeds).
  'ticket.unassigned',
  'task.requeued',
  'task.transferred',
  'task.abandoned',
  'task.timed_out',
  'offer.created',
  'offer.accepted',
  'offer.rejected',
  'offer.timed_out',
  'offer.revoked',
  'agent.wrap_up_started',
  'agent.wrap_up_extended',
  'agent.wrap_up_ended',
  /** The state the agent chose for after the current work (PUT /me/state with afterWork). */
  'agent.next_state_set',
  'queue.after_hours',
  'queue.full',
  /** A hub became the one connected to Kamailio's evapi socket (several hubs elect one). */
  'telephony.owner_changed',
]);
export type EventType = z.infer<typeof EventType>;

export const HubEvent = z.object({
  /** Monotonic position in the log; clients resume the stream after the last id they saw. */
  id: z.number().int().positive(),
  type: EventType,
  occurredAt: z.string().datetime(),
  agentId: z.string().uuid().nullable(),
  ticketId: z.string().uuid().nullable(),
  taskId: z.string().uuid().nullable(),
  queueId: z.string().uuid().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type HubEvent = z.infer<typeof HubEvent>;

/** Frames sent by the hub on `/api/v1/stream`. */
export const StreamFrame = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), lastEventId: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('event'), event: HubEvent }),
  z.object({ kind: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type StreamFrame = z.infer<typeof StreamFrame>;
