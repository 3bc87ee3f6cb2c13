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

/**
 * Why a conditional reply (`If-Match: "<version>"`) was refused with 412 (in `error.details`):
 * the ticket was reassigned, closed, or the customer wrote again since that version. A ticket
 * that changed in any other way (the agent's own earlier reply, a state change) does not refuse.
 * A reply to a closed ticket without If-Match is answered 409 `conflict` with reason `closed`.
 */
export const ReplyConflictReason = z.enum(['reassigned', 'closed', 'newer_customer_message']);
export type ReplyConflictReason = z.infer<typeof ReplyConflictReason>;

export const ReplyConflictDetails = z.object({
  reason: ReplyConflictReason,
  /** Every reason that applies, most important first (`reason` is the first). */
  reasons: z.array(ReplyConflictReason).optional(),
  currentVersion: z.number().int().nonnegative().optional(),
  assigneeId: z.string().uuid().nullable().optional(),
  /** Messages that became visible after the reply's base version (when the caller may see them). */
  newMessages: z.array(Message).optional(),
});
export type ReplyConflictDetails = z.infer<typeof ReplyConflictDetails>;
