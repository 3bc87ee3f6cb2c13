import { z } from 'zod';
import { AgentProfile, AgentStatus } from '../domain/agent.js';
import { Message, TicketDetail, TicketSummary } from '../domain/ticket.js';
import { Work } from '../domain/work.js';
import { SetStateRequest } from '../api/agent.js';
import { phoneCalls, phoneEvents } from './phone.js';
import { routingCalls, routingEvents } from './routing.js';
import { ReplyConflictReason } from '../api/replies.js';

/**
 * The one contract between renderer and main. Every call and event is declared here once; the
 * Electron IPC transport and the browser-mode WebSocket transport both validate against it.
 */

export const ConnectionState = z.object({
  status: z.enum(['signed_out', 'connecting', 'online', 'offline']),
  hubUrl: z.string().nullable(),
  /** Human-readable reason of the last failure, for the status tooltip. */
  lastError: z.string().nullable(),
  /** When the connection was last confirmed alive (ISO time), null if never. */
  since: z.string().datetime().nullable(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const SessionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_out'), lastHubUrl: z.string().nullable() }),
  z.object({
    status: z.literal('signed_in'),
    hubUrl: z.string(),
    agent: AgentProfile,
    agentStatus: AgentStatus.nullable(),
  }),
]);
export type SessionState = z.infer<typeof SessionState>;

export const HubUrl = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:\/\//.test(u), {
    message: 'hub URL must start with http:// or https://',
  });

export const LoginInput = z
  .object({
    hubUrl: HubUrl,
    login: z.string().trim().min(1).max(100),
    password: z.string().min(1).max(200),
  })
  .strict();
export type LoginInput = z.infer<typeof LoginInput>;

export const AppInfo = z.object({
  version: z.string(),
  transport: z.enum(['electron', 'web']),
  defaultHubUrl: z.string().nullable(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const TicketRef = z.object({ ticketId: z.string().uuid() }).strict();

export const ReplyInput = z
  .object({ ticketId: z.string().uuid(), text: z.string().trim().min(1).max(100_000) })
  .strict();
export type ReplyInput = z.infer<typeof ReplyInput>;

export const ReplyResult = z.object({
  /** The client-generated idempotency key the reply was sent with. */
  replyId: z.string().uuid(),
  detail: TicketDetail,
});
export type ReplyResult = z.infer<typeof ReplyResult>;

export const Notification = z.object({
  /** assignment: a ticket was pushed to me; offer: an offer waits for my answer (ring). */
  kind: z.enum(['assignment', 'offer']),
  title: z.string(),
  body: z.string(),
  ticketId: z.string().uuid().nullable(),
  /** The offer, for kind 'offer'. */
  offerId: z.string().uuid().nullish(),
});
export type Notification = z.infer<typeof Notification>;

/** Offline-first (issue 4): drafts, the outbox and search over the local cache. */

export const Draft = z.object({
  ticketId: z.string().uuid(),
  /** Exactly what the composer showed, whitespace included ('' = no draft). */
  text: z.string(),
  updatedAt: z.string().datetime().nullable(),
});
export type Draft = z.infer<typeof Draft>;

export const DraftInput = z
  .object({ ticketId: z.string().uuid(), text: z.string().max(100_000) })
  .strict();
export type DraftInput = z.infer<typeof DraftInput>;

/**
 * pending: waiting to be sent (or for an earlier reply of the same ticket); sending: a request is
 * on its way; delivered: the hub acknowledged it; needs_review: the hub refused it because the
 * ticket changed (see `conflict`); failed: the hub refused it for another reason (`lastError`).
 */
export const OutboxState = z.enum(['pending', 'sending', 'delivered', 'needs_review', 'failed']);
export type OutboxState = z.infer<typeof OutboxState>;

export const OutboxConflict = z.object({
  reason: ReplyConflictReason,
  /** Messages that arrived on the ticket after the version the reply was written against. */
  newMessages: z.array(Message),
});
export type OutboxConflict = z.infer<typeof OutboxConflict>;

export const OutboxRow = z.object({
  /** Client-generated UUID, sent as the Idempotency-Key. */
  id: z.string().uuid(),
  ticketId: z.string().uuid(),
  ticketNumber: z.number().int().positive().nullable(),
  ticketSubject: z.string().nullable(),
  text: z.string(),
  /** The ticket version the reply was written against (If-Match), null if unknown. */
  baseVersion: z.number().int().nonnegative().nullable(),
  state: OutboxState,
  attempts: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  deliveredAt: z.string().datetime().nullable(),
  /** When the next attempt is planned while the hub is unreachable. */
  nextAttemptAt: z.string().datetime().nullable(),
  lastError: z.string().nullable(),
  conflict: OutboxConflict.nullable(),
});
export type OutboxRow = z.infer<typeof OutboxRow>;

/** The signed-in agent's outbox, oldest first: undelivered rows and recently delivered ones. */
export const OutboxSnapshot = z.object({ rows: z.array(OutboxRow) });
export type OutboxSnapshot = z.infer<typeof OutboxSnapshot>;

export const OutboxResolveInput = z
  .object({ id: z.string().uuid(), action: z.enum(['sendAnyway', 'discard', 'edit']) })
  .strict();
export type OutboxResolveInput = z.infer<typeof OutboxResolveInput>;

export const SearchInput = z
  .object({
    query: z.string().trim().min(1).max(200),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type SearchInput = z.infer<typeof SearchInput>;

/** Private-use characters around the matched words of a snippet (never typed by people). */
export const SNIPPET_MARK_START = '\uE000';
export const SNIPPET_MARK_END = '\uE001';

export const SearchHit = z.object({
  ticketId: z.string().uuid(),
  ticketNumber: z.number().int().positive(),
  subject: z.string(),
  customerName: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  /** The matching message, or null when the subject or customer matched. */
  messageId: z.string().uuid().nullable(),
  /** Text around the match, matched words between SNIPPET_MARK_START and SNIPPET_MARK_END. */
  snippet: z.string(),
  at: z.string().datetime(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResults = z.object({ hits: z.array(SearchHit) });
export type SearchResults = z.infer<typeof SearchResults>;

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

const call = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({
  request,
  response,
});

export const bridgeCalls = {
  'app.info': call(Empty, AppInfo),
  'session.get': call(Empty, SessionState),
  'session.login': call(LoginInput, SessionState),
  'session.logout': call(Empty, SessionState),
  'connection.get': call(Empty, ConnectionState),
  'agent.setState': call(SetStateRequest, AgentStatus),
  'work.get': call(Empty, Work),
  'tickets.get': call(TicketRef, TicketDetail),
  'tickets.reply': call(ReplyInput, ReplyResult),
  /** Closes the ticket on the hub (completes its task, frees the agent's capacity). */
  'tickets.close': call(TicketRef, TicketSummary),
  ping: call(Empty, Ok),
  /** The saved draft of a ticket ('' when none). */
  'drafts.get': call(TicketRef, Draft),
  /** Saves the draft durably before answering; '' deletes it. */
  'drafts.save': call(DraftInput, Draft),
  /** Send: the draft becomes an outbox row in one transaction; delivery follows when possible. */
  'outbox.send': call(ReplyInput, OutboxRow),
  'outbox.list': call(Empty, OutboxSnapshot),
  /** A row that needs review or failed: send anyway, discard, or move back into the draft. */
  'outbox.resolve': call(OutboxResolveInput, OutboxSnapshot),
  /** Full-text search over the cached tickets (customer, subject, message text). */
  search: call(SearchInput, SearchResults),
  /** Softphone (issue 5): src/shared/bridge/phone.ts. */
  ...phoneCalls,
  /** Routing (issue 3): src/shared/bridge/routing.ts. */
  ...routingCalls,
} as const;

export const bridgeEvents = {
  'session.changed': SessionState,
  'connection.changed': ConnectionState,
  'agent.changed': AgentStatus,
  'work.changed': Work,
  'ticket.changed': TicketDetail,
  /** Ask the renderer to draw attention: sound plus, where main cannot, a desktop notification. */
  notify: Notification,
  'outbox.changed': OutboxSnapshot,
  /** Softphone (issue 5): src/shared/bridge/phone.ts. */
  ...phoneEvents,
  /** Routing (issue 3): src/shared/bridge/routing.ts. */
  ...routingEvents,
} as const;

export type BridgeCalls = typeof bridgeCalls;
export type BridgeEvents = typeof bridgeEvents;
export type CallName = keyof BridgeCalls;
export type EventName = keyof BridgeEvents;
export type CallRequest<N extends CallName> = z.input<BridgeCalls[N]['request']>;
export type CallParsedRequest<N extends CallName> = z.output<BridgeCalls[N]['request']>;
export type CallResponse<N extends CallName> = z.output<BridgeCalls[N]['response']>;
export type EventPayload<E extends EventName> = z.output<BridgeEvents[E]>;

export const isCallName = (name: unknown): name is CallName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(bridgeCalls, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(bridgeEvents, name);
