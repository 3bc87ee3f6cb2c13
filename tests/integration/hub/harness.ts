import WebSocket from 'ws';
import { type HubEvent, StreamFrame } from '../../../src/shared/api/index.js';
import { type Channel, type Role } from '../../../src/shared/domain/index.js';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createIntegrationToken } from '../../../src/hub/auth/sessions.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { type HubOptions, type RunningHub, startHub } from '../../../src/hub/server.js';
import { httpRequest } from '../../support/http-client.js';
import { type z } from 'zod';
import { type InboundMessageRequest } from '../../../src/shared/api/index.js';

/** scrypt cost for tests: still scrypt, but ~1 ms instead of ~100 ms per hash. */
export const TEST_SCRYPT_COST = 1024;
export const PASSWORD = 'correct horse battery staple';
export const INTEGRATION_TOKEN = 'test-integration-token-0123456789';

export interface TestHub {
  hub: RunningHub;
  url: string;
  ids: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A hub with a known team:
 * - queue `sales` (email, chat, api; priority 5) and `support` (email, chat; priority 1), both
 *   auto-accept on every channel (the core suite tests assignment; offers are tested in
 *   tests/integration/hub/routing-*.test.ts with queues of their own);
 * - a1, a2, a3 in `sales`; a4 only in `support`; sup (supervisor); adm (admin).
 */
export async function startTestHub(opts: HubOptions = {}): Promise<TestHub> {
  const hub = await startHub({ scryptCost: TEST_SCRYPT_COST, ...opts });
  const ids: Record<string, string> = {};
  await hub.ctx.tx(async (q) => {
    const queues: { name: string; channels: Channel[]; priority: number; autoAccept: Channel[] }[] =
      [
        {
          name: 'sales',
          channels: ['email', 'chat', 'api'],
          priority: 5,
          autoAccept: ['email', 'chat', 'api'],
        },
        {
          name: 'support',
          channels: ['email', 'chat'],
          priority: 1,
          autoAccept: ['email', 'chat'],
        },
      ];
    for (const queue of queues) ids[queue.name] = (await createQueue(q, queue)).id;
    const team: [string, Role[], string[]][] = [
      ['a1', ['agent'], ['sales']],
      ['a2', ['agent'], ['sales']],
      ['a3', ['agent'], ['sales']],
      ['a4', ['agent'], ['support']],
      ['sup', ['supervisor'], []],
      ['adm', ['admin'], []],
    ];
    for (const [login, roles, queueNames] of team) {
      const agent = await ensureAgent(
        q,
        { login, name: `Agent ${login}`, password: PASSWORD, roles, queues: queueNames },
        TEST_SCRYPT_COST,
      );
      ids[login] = agent.id;
    }
    const existing = await q('select 1 from integration_tokens where name = $1', ['test']);
    if (existing.length === 0) await createIntegrationToken(q, 'test', INTEGRATION_TOKEN);
  });
  return { hub, url: hub.url, ids, close: () => hub.close() };
}

export interface Res<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = unknown>(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined || opts.rawBody !== undefined)
    headers['content-type'] = 'application/json';
  const res = await httpRequest(new URL(path, url), {
    method,
    headers,
    ...(opts.rawBody !== undefined
      ? { body: opts.rawBody }
      : opts.body !== undefined
        ? { body: JSON.stringify(opts.body) }
        : {}),
  });
  return {
    status: res.status,
    body: (res.text ? JSON.parse(res.text) : undefined) as T,
    headers: res.headers,
  };
}

export async function login(url: string, loginName: string, password = PASSWORD): Promise<string> {
  const res = await call<{ token: string }>(url, 'POST', '/api/v1/auth/login', {
    body: { login: loginName, password },
  });
  if (res.status !== 200)
    throw new Error(`login ${loginName}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export async function setState(
  url: string,
  token: string,
  state: 'available' | 'paused' | 'offline',
  reason?: string,
): Promise<void> {
  const res = await call(url, 'PUT', '/api/v1/me/state', {
    token,
    body: reason ? { state, reason } : { state },
  });
  if (res.status !== 200) throw new Error(`state: ${res.status} ${JSON.stringify(res.body)}`);
}

/** What an integration posts: the hub API's own request schema (its input side). */
export type InboundBody = z.input<typeof InboundMessageRequest>;

export interface InboundResult {
  customerId: string;
  customerCreated: boolean;
  ticketId: string;
  ticketCreated: boolean;
  ticketReopened: boolean;
  messageId: string;
  taskId: string | null;
  duplicate: boolean;
}

export async function inbound(url: string, body: InboundBody): Promise<InboundResult> {
  const res = await call<InboundResult>(url, 'POST', '/api/v1/inbound/messages', {
    token: INTEGRATION_TOKEN,
    body,
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Everyone offline, every open ticket closed and every live task canceled: a clean floor. */
export async function resetFloor(t: TestHub): Promise<void> {
  await t.hub.ctx.db.transaction(async (q) => {
    await q(
      `update tasks set status = 'canceled' where status in ('queued', 'offered', 'assigned', 'wrapping')`,
    );
    await q(
      `update tickets set status = 'closed', closed_at = now() - interval '30 days' where status = 'open'`,
    );
    await q(`update offers set status = 'revoked' where status = 'pending'`);
    await q(`delete from timers`);
    await q(`update agents set state = 'offline', state_reason = null, selected_state = 'offline',
      selected_reason = null, next_state = null, next_reason = null, wrap_task_id = null,
      wrap_until = null, wrap_started_at = null, wrap_extended = false, disconnected_at = null,
      missed_offers = 0`);
    await q(`update agent_capacity set capacity = case channel when 'chat' then 3 when 'email' then 5
      when 'api' then 5 when 'messenger' then 3 else 1 end`);
  });
}

export async function taskOf(
  t: TestHub,
  taskId: string,
): Promise<{ status: string; agent_id: string | null }> {
  const rows = await t.hub.ctx.db.query<{ status: string; agent_id: string | null }>(
    'select status, agent_id from tasks where id = $1',
    [taskId],
  );
  return rows[0]!;
}

/** A stream client that records frames and lets a test wait for one. */
export class StreamClient {
  readonly frames: StreamFrame[] = [];
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, opts: { token?: string; queryToken?: string; after?: number }) {
    const u = new URL('/api/v1/stream', url.replace(/^http/, 'ws'));
    if (opts.after !== undefined) u.searchParams.set('after', String(opts.after));
    if (opts.queryToken) u.searchParams.set('token', opts.queryToken);
    const ws = new WebSocket(
      u,
      opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {},
    );
    this.ws = ws;
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        this.closeCode = code;
        this.notify();
        resolve(code);
      });
    });
    ws.on('message', (data) => {
      this.frames.push(StreamFrame.parse(JSON.parse(String(data))));
      this.notify();
    });
  }

  private readonly ws: WebSocket;

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get events(): HubEvent[] {
    return this.frames.flatMap((f) => (f.kind === 'event' ? [f.event] : []));
  }

  async waitFor<T>(find: (client: StreamClient) => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this);
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `stream: condition not met; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async ready(): Promise<number> {
    return this.waitFor((c) => {
      const f = c.frames.find((x) => x.kind === 'ready');
      return f?.kind === 'ready' ? f.lastEventId : undefined;
    });
  }

  close(): void {
    this.ws.close();
  }
}

export function uniqueEmail(tag: string): string {
  return `${tag}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}
