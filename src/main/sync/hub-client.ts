import { z } from 'zod';
import {
  ApiErrorBody,
  LoginResponse,
  ReplyResponse,
  type LoginRequest,
  type ReplyRequest,
  type SetStateRequest,
} from '../../shared/api/index.js';
import {
  AcceptOfferResponse,
  CompleteTaskResponse,
  NextResponse,
} from '../../shared/api/routing.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import {
  AgentProfile,
  AgentStatus,
  Queue,
  TicketDetail,
  TicketSummary,
  Work,
} from '../../shared/domain/index.js';

export const MeResponse = z.object({ agent: AgentProfile, status: AgentStatus });
export type MeResponse = z.infer<typeof MeResponse>;
export const HealthResponse = z.object({ ok: z.literal(true), version: z.string() });
/** Only what the desktop needs of the heartbeat answer (the full schema is the routing API's). */
export const HeartbeatAnswer = z.looseObject({ intervalMs: z.number().int().positive() });
/** A pause reason as cached; fields beyond these are ignored. */
export const CachedPauseReason = z.looseObject({
  code: z.string(),
  label: z.string(),
  system: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type CachedPauseReason = z.infer<typeof CachedPauseReason>;
/** An agent of the directory as cached; the hub's overview carries more. */
export const DirectoryAgent = z.looseObject({
  agent: z.looseObject({ id: z.string().uuid(), name: z.string(), login: z.string() }),
});
export type DirectoryAgent = z.infer<typeof DirectoryAgent>;

export interface HubClientOptions {
  baseUrl: string;
  token?: string | null;
  /** Per-request timeout; a hub that does not answer in time counts as unreachable. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Details carried by a `hub_error` BridgeError: what the hub said, for logs and the UI. */
export interface HubErrorDetails {
  status: number;
  code: string | null;
  hubMessage: string | null;
  details?: unknown;
}

const NoContent = z.undefined();

/**
 * Typed REST client of the hub API. Every answer is parsed with the shared schema and every
 * failure becomes a BridgeError with a stable code, so callers never see raw fetch errors.
 */
export class HubClient {
  readonly baseUrl: string;
  private token: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HubClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? null;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  withToken(token: string | null): HubClient {
    return new HubClient({
      baseUrl: this.baseUrl,
      token,
      timeoutMs: this.timeoutMs,
      fetch: this.fetchImpl,
    });
  }

  get hasToken(): boolean {
    return this.token !== null;
  }

  health(options?: RequestOptions) {
    return this.request('GET', '/api/v1/health', HealthResponse, { ...options, auth: false });
  }

  login(body: LoginRequest, options?: RequestOptions) {
    return this.request('POST', '/api/v1/auth/login', LoginResponse, {
      ...options,
      body,
      auth: false,
    });
  }

  logout(options?: RequestOptions) {
    return this.request('POST', '/api/v1/auth/logout', NoContent, options);
  }

  me(options?: RequestOptions) {
    return this.request('GET', '/api/v1/me', MeResponse, options);
  }

  setState(body: SetStateRequest, options?: RequestOptions) {
    return this.request('PUT', '/api/v1/me/state', AgentStatus, { ...options, body });
  }

  work(options?: RequestOptions) {
    return this.request('GET', '/api/v1/me/work', Work, options);
  }

  ticket(ticketId: string, options?: RequestOptions) {
    return this.request('GET', `/api/v1/tickets/${encodeURIComponent(ticketId)}`, TicketDetail, {
      ...options,
    });
  }

  /** `idempotencyKey` must be reused verbatim on retries: that is what makes a retry safe. */
  reply(
    ticketId: string,
    idempotencyKey: string,
    body: ReplyRequest,
    options: RequestOptions & { ifMatch?: number | undefined } = {},
  ) {
    const headers: Record<string, string> = { 'idempotency-key': idempotencyKey };
    // The version the reply was written against: the hub answers 412 (with a reason) if the
    // ticket was reassigned, closed or got a customer message since.
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    return this.request(
      'POST',
      `/api/v1/tickets/${encodeURIComponent(ticketId)}/replies`,
      ReplyResponse,
      { ...options, body, headers },
    );
  }

  /** Presence: the hub marks the agent disconnected when these stop (see the routing issue). */
  heartbeat(options?: RequestOptions) {
    return this.request('POST', '/api/v1/me/heartbeat', HeartbeatAnswer, options);
  }

  pauseReasons(options?: RequestOptions) {
    return this.request('GET', '/api/v1/pause-reasons', z.array(CachedPauseReason), options);
  }

  /** The agents directory (supervisors; agents may be refused with 403). */
  agents(options?: RequestOptions) {
    return this.request('GET', '/api/v1/agents', z.array(DirectoryAgent), options);
  }

  closeTicket(ticketId: string, options?: RequestOptions) {
    return this.request(
      'POST',
      `/api/v1/tickets/${encodeURIComponent(ticketId)}/close`,
      TicketSummary,
      options,
    );
  }

  /** Routing (issue 3): answers to offers, serve next, completion with a topic, wrap-up. */
  acceptOffer(offerId: string, options?: RequestOptions) {
    return this.request(
      'POST',
      `/api/v1/offers/${encodeURIComponent(offerId)}/accept`,
      AcceptOfferResponse,
      options,
    );
  }

  rejectOffer(offerId: string, reason: string | undefined, options?: RequestOptions) {
    return this.request(
      'POST',
      `/api/v1/offers/${encodeURIComponent(offerId)}/reject`,
      AgentStatus,
      { ...options, body: reason === undefined ? {} : { reason } },
    );
  }

  serveNext(options?: RequestOptions) {
    return this.request('POST', '/api/v1/me/next', NextResponse, options);
  }

  completeTask(taskId: string, topic: string | undefined, options?: RequestOptions) {
    return this.request(
      'POST',
      `/api/v1/tasks/${encodeURIComponent(taskId)}/complete`,
      CompleteTaskResponse,
      { ...options, body: topic === undefined ? {} : { topic } },
    );
  }

  endWrapUp(topic: string | undefined, options?: RequestOptions) {
    return this.request('POST', '/api/v1/me/wrap-up/end', AgentStatus, {
      ...options,
      body: topic === undefined ? {} : { topic },
    });
  }

  extendWrapUp(seconds: number | undefined, options?: RequestOptions) {
    return this.request('POST', '/api/v1/me/wrap-up/extend', AgentStatus, {
      ...options,
      body: seconds === undefined ? {} : { seconds },
    });
  }

  queues(options?: RequestOptions) {
    return this.request('GET', '/api/v1/queues', z.array(Queue), options);
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: S,
    options: RequestOptions & {
      body?: unknown;
      auth?: boolean;
      headers?: Record<string, string>;
    } = {},
  ): Promise<z.output<S>> {
    const headers = new Headers(options.headers);
    headers.set('accept', 'application/json');
    if (options.body !== undefined) headers.set('content-type', 'application/json');
    if (options.auth !== false) {
      if (!this.token) throw new BridgeError('not_signed_in', 'not signed in to a hub');
      headers.set('authorization', `Bearer ${this.token}`);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      throw new BridgeError('hub_unreachable', describeNetworkError(error, this.baseUrl));
    }

    const json = parseJson(text);
    if (!response.ok) throw toBridgeError(response.status, json);
    const parsed = schema.safeParse(response.status === 204 || text === '' ? undefined : json);
    if (!parsed.success) {
      throw new BridgeError('hub_error', `the hub answered ${method} ${path} unexpectedly`, {
        status: response.status,
        code: null,
        hubMessage: null,
        details: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
      } satisfies HubErrorDetails);
    }
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeNetworkError(error: unknown, baseUrl: string): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `the hub at ${baseUrl} did not answer in time`;
    if (error.name === 'AbortError') return `the request to ${baseUrl} was canceled`;
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code) return `cannot reach the hub at ${baseUrl} (${cause.code})`;
  }
  return `cannot reach the hub at ${baseUrl}`;
}

/** Maps a failed hub answer to the bridge's stable codes (the hub's own code stays in details). */
export function toBridgeError(status: number, json: unknown): BridgeError {
  const body = ApiErrorBody.safeParse(json);
  const hub = body.success ? body.data.error : null;
  const details: HubErrorDetails = {
    status,
    code: hub?.code ?? null,
    hubMessage: hub?.message ?? null,
    ...(hub?.details === undefined ? {} : { details: hub.details }),
  };
  const message = hub?.message ?? `the hub answered HTTP ${status}`;
  if (status === 401) return new BridgeError('unauthorized', message, details);
  if (status === 403) return new BridgeError('forbidden', message, details);
  if (status === 404) return new BridgeError('not_found', message, details);
  // A proxy in front of a hub that is down answers 502-504 without a hub error body.
  if (!hub && (status === 502 || status === 503 || status === 504)) {
    return new BridgeError('hub_unreachable', `the hub is not available (HTTP ${status})`, details);
  }
  return new BridgeError('hub_error', message, details);
}

export const isUnreachable = (error: unknown): boolean =>
  error instanceof BridgeError && error.code === 'hub_unreachable';
