import { z } from 'zod';
import { Message, TicketSummary } from '../domain/ticket.js';

export const ReplyRequest = z.object({ text: z.string().trim().min(1).max(100_000) }).strict();
export type ReplyRequest = z.infer<typeof ReplyRequest>;

export const ReplyResponse = z.object({
  message: Message,
  ticket: TicketSummary,
  /** True when this Idempotency-Key had already been applied and the stored result is replayed. */
  replayed: z.boolean(),
});
export type ReplyResponse = z.infer<typeof ReplyResponse>;

/** Idempotency keys are client-generated UUIDs (v4 or v7). */
export const IdempotencyKey = z.string().uuid();
