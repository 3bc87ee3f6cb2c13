import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Invitation, type Session, SessionState } from 'sip.js';
import { type QueueSettings } from '../../src/shared/api/index.js';
import { SipSettings } from '../../src/shared/api/telephony.js';
import { type PhoneState } from '../../src/shared/bridge/phone.js';
import { type Channel } from '../../src/shared/domain/index.js';
import { ensureAgent } from '../../src/hub/agents/create.js';
import { type Query } from '../../src/hub/db/db.js';
import { createQueue } from '../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../src/hub/server.js';
import { encodeNetstring, NetstringDecoder } from '../../src/hub/telephony/netstring.js';
import { Softphone } from '../../src/main/phone/softphone.js';
import { type Logger } from '../../src/main/logger.js';
import { cannedSdhFactory } from './canned-sdh.js';
import { freeTcpPort, startKamailio, type TestKamailio } from './kamailio.js';

export const TELEPHONY_KEY = 'test-telephony-key-0123456789';
export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What `GET /api/v1/health` says about a hub's telephony. */
export interface HubHealth {
  telephony: {
    hubId: string;
    evapiOwner: boolean;
    kamailioConnected: boolean;
    gapRecovered: number;
  };
}

/** Calls a hub's JSON API from a vitest test; a non-2xx answer throws with its body. */
export async function hubApi<T>(
  base: string,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(new URL(path, base), { ...init, headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export const hubHealth = (base: string) => hubApi<HubHealth>(base, '/api/v1/health');

/** The latest `calls` row of a caller's number (undefined before the call entered). */
export async function callOf(
  q: Query,
  from: string,
): Promise<{ id: string; call_id: string; state: string; outcome: string | null } | undefined> {
  return (
    await q<{ id: string; call_id: string; state: string; outcome: string | null }>(
      'select id, call_id, state, outcome from calls where from_number = $1 order by entered_at desc',
      [from],
    )
  )[0];
}

/** The data of every `task.abandoned` event of a call, in log order. */
export async function abandonedOf(q: Query, callId: string): Promise<Record<string, unknown>[]> {
  return (
    await q<{ data: Record<string, unknown> }>(
      `select data from events where type = 'task.abandoned' and data->>'callId' = $1 order by id`,
      [callId],
    )
  ).map((e) => e.data);
}

/** How many times Kamailio's log says an evapi client (a hub) connected. */
export const evapiConnects = (kamailio: TestKamailio): number =>
  (kamailio.log().match(/evapi: hub connected/g) ?? []).length;

export interface LabAgent {
  login: string;
  id: string;
  token: string;
  sip: SipSettings;
  phone: Softphone;
  state: () => PhoneState;
  /** Incoming sessions in arrival order. */
  invitations: Invitation[];
  /** How this agent treats incoming calls. */
  mode: 'answer' | 'ignore' | 'decline';
  /** Delay before auto-answering, ms (default 20). */
  answerDelayMs: number;
  /** With mode 'answer': the agent hangs up this long after answering (load tests). */
  hangupAfterMs: number | null;
  /** Most calls this agent had at once (incoming or connected). */
  maxConcurrent: number;
}

export interface Lab {
  hub: RunningHub;
  kamailio: TestKamailio;
  agents: LabAgent[];
  api<T = unknown>(path: string, init?: RequestInit & { token?: string }): Promise<T>;
  setState(agent: LabAgent, state: 'available' | 'paused' | 'offline'): Promise<void>;
  events(
    types?: string[],
  ): Promise<
    { type: string; agentId: string | null; taskId: string | null; data: Record<string, unknown> }[]
  >;
  stop(): Promise<void>;
}

export type LabQueue = QueueSettings & { name: string; channels: Channel[] };

export interface TelephonyHub {
  hub: RunningHub;
  kamailio: TestKamailio;
  agentIds: string[];
  api<T = unknown>(path: string, init?: RequestInit & { token?: string }): Promise<T>;
  login(name: string): Promise<string>;
  events(types?: string[]): Promise<LabEvent[]>;
  stop(): Promise<void>;
}

export interface LabEvent {
  type: string;
  agentId: string | null;
  taskId: string | null;
  data: Record<string, unknown>;
}

export const defaultQueue = (ringSeconds = 6): LabQueue => ({
  name: 'orders',
  channels: ['voice', 'callback', 'email'],
  priority: 10,
  offerTimeouts: { voice: ringSeconds },
  wrapUpSeconds: 30,
  topics: ['order status', 'complaint'],
  topicRequired: true,
  shortAbandonSeconds: 2,
});

/** A hub (in-process, in-memory PGlite) with telephony, a real Kamailio wired to it, queues, agents. */
export async function startTelephony(opts: {
  agents: number;
  queues?: LabQueue[];
  ringSeconds?: number;
  /** PostgreSQL instead of the in-memory PGlite. */
  databaseUrl?: string;
}): Promise<TelephonyHub> {
  const hubPort = await freeTcpPort();
  const kamailio = await startKamailio({
    hubUrl: `http://127.0.0.1:${hubPort}`,
    hubKey: TELEPHONY_KEY,
  });
  let hub: RunningHub;
  try {
    hub = await startHub({
      port: hubPort,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      scryptCost: 1024,
      routingSweepMs: 1000,
      timerPollMs: 100,
      telephony: {
        key: TELEPHONY_KEY,
        domain: kamailio.domain,
        wsUrl: kamailio.wsUrl,
        evapi: kamailio.evapi,
      },
    });
  } catch (error) {
    await kamailio.stop();
    throw error;
  }
  const queues = opts.queues ?? [defaultQueue(opts.ringSeconds)];
  const agentIds: string[] = [];
  await hub.ctx.tx(async (q) => {
    for (const queue of queues) await createQueue(q, queue);
    for (let i = 1; i <= opts.agents; i++) {
      const r = await ensureAgent(
        q,
        {
          login: `agent${i}`,
          name: `Agent ${i}`,
          password: 'pw',
          roles: ['agent'],
          queues: queues.map((x) => x.name),
        },
        1024,
      );
      agentIds.push(r.id);
    }
  });
  await hub.calls!.waitConnected(5000);
  const api = async <T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body) headers.set('content-type', 'application/json');
    const res = await fetch(new URL(path, hub.url), { ...init, headers });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    hub,
    kamailio,
    agentIds,
    api,
    login: async (name) =>
      (
        await api<{ token: string }>('/api/v1/auth/login', {
          method: 'POST',
          body: JSON.stringify({ login: name, password: 'pw' }),
        })
      ).token,
    async events(types) {
      const rows = await hub.ctx.db.query<{
        type: string;
        agent_id: string | null;
        task_id: string | null;
        data: Record<string, unknown>;
      }>('select type, agent_id, task_id, data from events order by id');
      return rows
        .map((r) => ({ type: r.type, agentId: r.agent_id, taskId: r.task_id, data: r.data }))
        .filter((e) => !types || types.includes(e.type));
    },
    async stop() {
      await hub.close();
      await kamailio.stop();
    },
  };
}

/** startTelephony plus every agent signed in with a registered Softphone (media-less, auto-answer). */
export async function startLab(opts: {
  agents: number;
  queues?: LabQueue[];
  ringSeconds?: number;
  databaseUrl?: string;
}): Promise<Lab> {
  const t = await startTelephony(opts);
  const { hub, kamailio, api, login } = t;
  const ids = t.agentIds;
  const agents: LabAgent[] = [];
  try {
    for (let i = 1; i <= opts.agents; i++) {
      const token = await login(`agent${i}`);
      const sip = SipSettings.parse(await api('/api/v1/me/sip', { token }));
      let state: PhoneState = { registration: 'connecting', aor: null, lastError: null, calls: [] };
      const agent: LabAgent = {
        login: `agent${i}`,
        id: ids[i - 1]!,
        token,
        sip,
        phone: undefined as unknown as Softphone,
        state: () => state,
        invitations: [],
        mode: 'answer',
        hangupAfterMs: null,
        answerDelayMs: 20,
        maxConcurrent: 0,
      };
      agent.phone = new Softphone({
        account: sip,
        sdhFactory: cannedSdhFactory,
        logger: quiet,
        reconnect: { baseMs: 100, maxMs: 1000 },
        onChange: (s) => {
          state = s;
          const live = s.calls.filter((c) => c.state !== 'ended').length;
          agent.maxConcurrent = Math.max(agent.maxConcurrent, live);
          for (const call of s.calls) {
            if (call.direction !== 'in' || call.state !== 'incoming') continue;
            if (agent.invitations.some((x) => x.id === call.id)) continue;
            const inv = (
              agent.phone as unknown as { calls: Map<string, { session: Session }> }
            ).calls.get(call.id)?.session as Invitation | undefined;
            if (!inv) continue;
            agent.invitations.push(inv);
            if (agent.mode === 'answer') {
              const hangup = agent.hangupAfterMs;
              setTimeout(() => {
                void agent.phone
                  .answer(call.id)
                  .then(() => {
                    if (hangup !== null)
                      setTimeout(
                        () => void agent.phone.hangup(call.id).catch(() => undefined),
                        hangup,
                      );
                  })
                  .catch(() => undefined);
              }, agent.answerDelayMs);
            }
            if (agent.mode === 'decline')
              setTimeout(() => void agent.phone.decline(call.id).catch(() => undefined), 20);
          }
        },
      });
      agents.push(agent);
    }
    await Promise.all(agents.map((a) => a.phone.start()));
    await Promise.all(agents.map((a) => a.phone.waitRegistered(10_000)));
  } catch (error) {
    // A failed setup must not leave Kamailio and the hub running.
    await Promise.all(agents.map((a) => a.phone.stop().catch(() => undefined)));
    await t.stop();
    throw error;
  }

  const lab: Lab = {
    hub,
    kamailio,
    agents,
    api,
    async setState(agent, state) {
      await api('/api/v1/me/state', {
        method: 'PUT',
        token: agent.token,
        body: JSON.stringify(state === 'paused' ? { state, reason: 'break' } : { state }),
      });
    },
    events: t.events,
    async stop() {
      await Promise.all(agents.map((a) => a.phone.stop().catch(() => undefined)));
      await t.stop();
    },
  };
  return lab;
}

export { waitFor } from './wait.js';

export const established = (s: Session) => s.state === SessionState.Established;

/**
 * Kamailio's evapi side played by a TCP server that speaks netstrings, so a hub's behaviour can be
 * driven exactly. Like Kamailio it sends every message to every connected client. With `hello`
 * set it greets each new client as Kamailio does (`{"event":"hello","instance":…}`, relayed to
 * every client); a "restart" is down() then listen() with another `hello`.
 */
export class FakeEvapi {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  readonly received: Record<string, unknown>[] = [];

  constructor(
    readonly port: number,
    public hello: string | null = null,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      const decoder = new NetstringDecoder();
      socket.on('data', (chunk) => {
        for (const f of decoder.push(chunk))
          this.received.push(JSON.parse(f) as Record<string, unknown>);
      });
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (this.hello !== null) this.send({ event: 'hello', instance: this.hello });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  get clients(): number {
    return this.sockets.size;
  }

  send(message: Record<string, unknown>): void {
    for (const s of this.sockets) s.write(encodeNetstring(JSON.stringify(message)));
  }

  /** Kamailio gone: connections dropped, nothing listens. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  commandsFor(tindex: number): Record<string, unknown>[] {
    return this.received.filter((m) => m.tindex === tindex);
  }
}

/** One more evapi client of a real Kamailio, recording what it broadcasts (its hello aside). */
export class EvapiTap {
  readonly messages: Record<string, unknown>[] = [];

  private constructor(private readonly socket: Socket) {
    const decoder = new NetstringDecoder();
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        const m = JSON.parse(f) as Record<string, unknown>;
        if (m.event !== 'hello') this.messages.push(m);
      }
    });
    socket.on('error', () => undefined);
  }

  static async connect(at: { host: string; port: number }): Promise<EvapiTap> {
    const socket = connect(at.port, at.host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new EvapiTap(socket);
  }

  events(event: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.event === event);
  }

  close(): void {
    this.socket.destroy();
  }
}
