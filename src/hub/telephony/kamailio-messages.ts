import { z } from 'zod';

/** What Kamailio sends on the evapi socket (see resources/kamailio/kamailio.cfg). */
const Suspended = { tindex: z.coerce.number().int(), tlabel: z.coerce.number().int() };
/**
 * The hub's id of the ring this outcome belongs to (the `ringId` of its `route`, kept by Kamailio
 * in the transaction's `$avp(ringid)`). Empty or absent from an older config or hub: unknown.
 */
const RingId = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

export const KamailioMessage = z.discriminatedUnion('event', [
  /** INVITE to queue-<name>; the transaction is suspended until the hub answers. */
  z.object({
    event: z.literal('enter'),
    ...Suspended,
    callid: z.string().min(1),
    ftag: z.string(),
    queue: z.string(),
    from: z.string(),
    fromName: z.string().optional().default(''),
  }),
  /** The agent's branch failed (408 no answer, 486/603 declined, 404 not registered…); suspended again. */
  z.object({
    event: z.literal('failed'),
    ...Suspended,
    callid: z.string(),
    agent: z.string(),
    ringId: RingId,
    code: z.coerce.number().int(),
  }),
  /** The agent answered (200 OK relayed to the caller). */
  z.object({
    event: z.literal('answered'),
    callid: z.string(),
    agent: z.string(),
    ringId: RingId,
  }),
  /** The caller gave up (CANCEL) while waiting or ringing. */
  z.object({ event: z.literal('cancel'), callid: z.string() }),
  /** BYE in the dialog; `ftag` = From tag of the BYE (the caller's tag → the caller hung up). */
  z.object({ event: z.literal('bye'), callid: z.string(), ftag: z.string() }),
  /** REFER in the dialog (transfer); Replaces in Refer-To = attended. */
  z.object({
    event: z.literal('refer'),
    callid: z.string(),
    ftag: z.string(),
    referTo: z.string(),
  }),
]);
export type KamailioMessage = z.infer<typeof KamailioMessage>;

/**
 * The hub's answers to a suspended transaction. `ringId` identifies one ring of the call (the
 * offer id, or a fresh id without an offer): Kamailio echoes it in that ring's outcome.
 */
export type HubCommand =
  | {
      tindex: number;
      tlabel: number;
      action: 'route';
      agent: string;
      ring: number;
      ringId: string;
    }
  | { tindex: number; tlabel: number; action: 'reply'; code: number; reason: string };
