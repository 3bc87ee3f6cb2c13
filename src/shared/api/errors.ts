import { z } from 'zod';

/** Stable error codes of the hub API. Clients switch on `code`, never on `message`. */
export const ApiErrorCode = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'idempotency_key_reused',
  'rate_limited',
  'internal',
  /** The offer was already answered, timed out or revoked. */
  'offer_not_pending',
  /** The queue requires a topic (disposition) to complete the task or end wrap-up. */
  'topic_required',
  /** The action does not fit the agent's or task's current state (e.g. no wrap-up to end). */
  'invalid_state',
  /** A pause reason that does not exist, is disabled, or is reserved for the hub. */
  'unknown_pause_reason',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiErrorBody = z.object({
  error: z.object({
    code: ApiErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
