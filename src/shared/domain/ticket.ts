import { z } from 'zod';

export const Channel = z.enum(['api', 'chat', 'messenger', 'email', 'voice', 'callback']);
export type Channel = z.infer<typeof Channel>;

export const TicketStatus = z.enum(['open', 'closed']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const Customer = z.object({
  id: z.string().uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});
export type Customer = z.infer<typeof Customer>;

export const TicketSummary = z.object({
  id: z.string().uuid(),
  number: z.number().int().positive(),
  subject: z.string(),
  status: TicketStatus,
  channel: Channel,
  queueId: z.string().uuid().nullable(),
  customerId: z.string().uuid(),
  customerName: z.string().nullable(),
  assigneeId: z.string().uuid().nullable(),
  /** Incremented on every change; the basis for conditional replies (If-Match). */
  version: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type TicketSummary = z.infer<typeof TicketSummary>;

export const MessageDirection = z.enum(['in', 'out']);
export type MessageDirection = z.infer<typeof MessageDirection>;

export const Message = z.object({
  id: z.string().uuid(),
  ticketId: z.string().uuid(),
  direction: MessageDirection,
  authorName: z.string().nullable(),
  authorAgentId: z.string().uuid().nullable(),
  text: z.string(),
  createdAt: z.string().datetime(),
});
export type Message = z.infer<typeof Message>;

export const TicketDetail = z.object({
  ticket: TicketSummary,
  customer: Customer,
  messages: z.array(Message),
});
export type TicketDetail = z.infer<typeof TicketDetail>;
