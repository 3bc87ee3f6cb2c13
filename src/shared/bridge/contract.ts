import { z } from 'zod';
import { AgentProfile, AgentStatus } from '../domain/agent.js';
import { TicketDetail, TicketSummary } from '../domain/ticket.js';
import { Work } from '../domain/work.js';
import { SetStateRequest } from '../api/agent.js';

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
  kind: z.enum(['assignment']),
  title: z.string(),
  body: z.string(),
  ticketId: z.string().uuid().nullable(),
});
export type Notification = z.infer<typeof Notification>;

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
} as const;

export const bridgeEvents = {
  'session.changed': SessionState,
  'connection.changed': ConnectionState,
  'agent.changed': AgentStatus,
  'work.changed': Work,
  'ticket.changed': TicketDetail,
  /** Ask the renderer to draw attention: sound plus, where main cannot, a desktop notification. */
  notify: Notification,
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
