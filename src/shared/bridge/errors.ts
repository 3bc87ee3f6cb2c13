import { z } from 'zod';

export const BridgeErrorCode = z.enum([
  /** The payload did not match the call's request schema. */
  'invalid_request',
  /** main answered something that does not match the response schema (a bug; never shown raw). */
  'invalid_response',
  'unknown_call',
  'not_signed_in',
  /** Wrong login or password, or the hub refused the token. */
  'unauthorized',
  'forbidden',
  'hub_unreachable',
  'hub_error',
  'not_found',
  'transport_closed',
  'internal',
]);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCode>;

export const BridgeErrorBody = z.object({
  code: BridgeErrorCode,
  message: z.string(),
  details: z.unknown().optional(),
});
export type BridgeErrorBody = z.infer<typeof BridgeErrorBody>;

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly details: unknown;
  constructor(code: BridgeErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
  toBody(): BridgeErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
  static fromBody(body: BridgeErrorBody): BridgeError {
    return new BridgeError(body.code, body.message, body.details);
  }
}

/** Result of one call as it crosses a transport: errors travel as data, not as thrown objects. */
export const BridgeEnvelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: BridgeErrorBody }),
]);
export type BridgeEnvelope = z.infer<typeof BridgeEnvelope>;
