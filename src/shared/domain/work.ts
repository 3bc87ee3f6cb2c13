import { z } from 'zod';
import { Channel, TicketSummary } from './ticket.js';

/** queued → offered → assigned → wrapping → completed, or canceled / abandoned / timed_out. */
export const TaskStatus = z.enum([
  'queued',
  'offered',
  'assigned',
  'wrapping',
  'completed',
  'canceled',
  'abandoned',
  'timed_out',
]);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Task = z.object({
  id: z.string().uuid(),
  ticketId: z.string().uuid(),
  queueId: z.string().uuid(),
  channel: Channel,
  status: TaskStatus,
  priority: z.number().int(),
  agentId: z.string().uuid().nullable(),
  createdAt: z.string().datetime(),
  slaDeadline: z.string().datetime().nullish(),
  language: z.string().nullish(),
  skills: z.record(z.string(), z.number().int()).optional(),
  topic: z.string().nullish(),
});
export type Task = z.infer<typeof Task>;

export const Offer = z.object({
  id: z.string().uuid(),
  taskId: z.string().uuid(),
  ticket: TicketSummary,
  offeredAt: z.string().datetime(),
  /** The hub times the offer out at this moment; consoles only draw the countdown. */
  expiresAt: z.string().datetime(),
  queueId: z.string().uuid().optional(),
  channel: Channel.optional(),
});
export type Offer = z.infer<typeof Offer>;

/** What an agent has on their plate: offers waiting for an answer and tickets assigned to them. */
export const Work = z.object({
  offers: z.array(Offer),
  tickets: z.array(TicketSummary),
});
export type Work = z.infer<typeof Work>;
