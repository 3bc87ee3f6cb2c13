import { z } from 'zod';
import { CustomerSearchResponse } from '../api/telephony.js';

/**
 * The softphone's part of the bridge (issue 5). Main runs the SIP user agent (sip.js) and owns no
 * media; the renderer owns RTCPeerConnection and the microphone. Offer/answer therefore goes
 * main → renderer as a *request*: an event `phone.media` with a `requestId`, answered by the
 * renderer with the call `phone.mediaResult` carrying the same id (Electron has no
 * main→renderer invoke). Only the renderer named in `clientId` (the one that attached) answers.
 */

export const RegistrationState = z.enum([
  /** No SIP account (telephony off on the hub, or signed out). */
  'disabled',
  'connecting',
  'registered',
  /** Transport lost or registration refused; retrying with backoff. */
  'failed',
]);
export type RegistrationState = z.infer<typeof RegistrationState>;

export const PhoneCallState = z.enum(['incoming', 'dialing', 'established', 'ended']);
export type PhoneCallState = z.infer<typeof PhoneCallState>;

export const PhoneCall = z.object({
  /** sip.js session id: the key of the renderer's peer connection. */
  id: z.string(),
  direction: z.enum(['in', 'out']),
  state: PhoneCallState,
  /** Caller's number or the dialled target (SIP user part). */
  remote: z.string(),
  remoteName: z.string().nullable(),
  /** X-Queue of a queue call (the hub routed it to me). */
  queue: z.string().nullable(),
  held: z.boolean(),
  startedAt: z.string().datetime(),
  answeredAt: z.string().datetime().nullable(),
  endedAt: z.string().datetime().nullable(),
  /** This call consults a third party for an attended transfer of `consultFor`. */
  consultFor: z.string().nullable(),
  /** Why it ended (SIP status or local action), for the history. */
  endReason: z.string().nullable(),
});
export type PhoneCall = z.infer<typeof PhoneCall>;

export const PhoneState = z.object({
  registration: RegistrationState,
  /** sip:user@domain when an account is known. */
  aor: z.string().nullable(),
  lastError: z.string().nullable(),
  calls: z.array(PhoneCall),
});
export type PhoneState = z.infer<typeof PhoneState>;

export const CallHistoryEntry = PhoneCall.extend({ durationMs: z.number().int().nonnegative() });
export type CallHistoryEntry = z.infer<typeof CallHistoryEntry>;

/** main → renderer: one offer/answer or media step of a call. */
export const MediaRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('getDescription'),
    requestId: z.string(),
    clientId: z.string().nullable(),
    sessionId: z.string(),
    hold: z.boolean(),
  }),
  z.object({
    op: z.literal('setDescription'),
    requestId: z.string(),
    clientId: z.string().nullable(),
    sessionId: z.string(),
    sdp: z.string().max(200_000),
  }),
  z.object({
    op: z.literal('sendDtmf'),
    requestId: z.string(),
    clientId: z.string().nullable(),
    sessionId: z.string(),
    tones: z.string().regex(/^[0-9A-D#*,]{1,64}$/),
    duration: z.number().int().min(40).max(6000),
    gap: z.number().int().min(30).max(6000),
  }),
  z.object({
    op: z.enum(['rollback', 'close']),
    requestId: z.string(),
    clientId: z.string().nullable(),
    sessionId: z.string(),
  }),
]);
export type MediaRequest = z.infer<typeof MediaRequest>;

export const SessionDescription = z.object({
  type: z.enum(['offer', 'answer']),
  sdp: z.string().max(200_000),
});

export const MediaResult = z
  .object({
    requestId: z.string(),
    clientId: z.string(),
    ok: z.boolean(),
    /** getDescription: {type, sdp}; setDescription: {type}; others: null. */
    value: z.unknown().optional(),
    error: z.string().max(2000).optional(),
  })
  .strict();
export type MediaResult = z.infer<typeof MediaResult>;

const SessionRef = z.object({ sessionId: z.string().min(1) }).strict();
/** A number, a SIP user (agent), `queue-<name>`, or a full sip: URI. */
const Target = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^(sip:)?[A-Za-z0-9+*#._@:;=-]+$/, 'not a dialable target');
const Ok = z.object({ ok: z.literal(true) });
const Empty = z.object({}).strict();

export const phoneCalls = {
  'phone.get': { request: Empty, response: PhoneState },
  /** This renderer owns call media from now on (the last one to attach wins). */
  'phone.attach': {
    request: z.object({ clientId: z.string().min(8).max(64) }).strict(),
    response: PhoneState,
  },
  'phone.mediaResult': { request: MediaResult, response: Ok },
  'phone.call': { request: z.object({ target: Target }).strict(), response: PhoneCall },
  'phone.answer': { request: SessionRef, response: Ok },
  'phone.decline': { request: SessionRef, response: Ok },
  'phone.hangup': { request: SessionRef, response: Ok },
  'phone.hold': { request: SessionRef.extend({ hold: z.boolean() }).strict(), response: Ok },
  'phone.dtmf': {
    request: SessionRef.extend({ tones: z.string().regex(/^[0-9A-D#*]{1,32}$/) }).strict(),
    response: Ok,
  },
  /** Blind transfer (REFER) to an agent, a queue or a number. */
  'phone.transfer': { request: SessionRef.extend({ target: Target }).strict(), response: Ok },
  /** Attended transfer, step 1: hold the call and dial the third party. */
  'phone.consult': { request: SessionRef.extend({ target: Target }).strict(), response: PhoneCall },
  /** Step 2: join caller and third party (REFER with Replaces); or cancel = hang up the consult. */
  'phone.completeTransfer': {
    request: SessionRef.extend({ consultId: z.string().min(1) }).strict(),
    response: Ok,
  },
  'phone.history': { request: Empty, response: z.array(CallHistoryEntry) },
  /** Screen pop: customers with this phone (through the hub session). */
  'phone.lookup': {
    request: z.object({ phone: z.string().trim().min(3).max(40) }).strict(),
    response: CustomerSearchResponse,
  },
} as const;

export const phoneEvents = {
  'phone.changed': PhoneState,
  'phone.media': MediaRequest,
} as const;
