import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentOverview,
  InboundMessageResponse,
  LoginResponse,
} from '../../src/shared/api/index.js';
import { type Notification } from '../../src/shared/bridge/contract.js';
import { BridgeError } from '../../src/shared/bridge/errors.js';
import { type WrapUp } from '../../src/shared/bridge/routing.js';
import { type AgentStatus, type Channel, Queue, type Work } from '../../src/shared/domain/index.js';
import { startHub } from '../../src/hub/server.js';
import { silentLogger } from '../../src/main/logger.js';
import { createServices, type Services } from '../../src/main/services.js';
import { MemorySecretStore } from '../../src/main/session/secret-store.js';
import { type Recorded, tempDir, waitFor } from './main-support.js';

/**
 * The console side of the routing engine: main's services against a real in-process hub whose
 * queues are configured through the admin API — offers (accept, reject, time out into the
 * missed-offer pause), completion and wrap-up with required topics, and presence heartbeats.
 * Each test signs in its own demo agent, member of its own queues only.
 */
let hub: Awaited<ReturnType<typeof startHub>>;
let admin: string;
const agentIds: Record<string, string> = {};
const queueIds: Record<string, string> = {};
const dirs: (() => void)[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function hubJson<T>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const headers = new Headers();
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(new URL(path, hub.url), {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function createQueue(settings: Record<string, unknown> & { name: string }) {
  const queue = Queue.parse(
    await hubJson('/api/v1/admin/queues', { method: 'POST', token: admin, body: settings }),
  );
  queueIds[settings.name] = queue.id;
}

beforeAll(async () => {
  hub = await startHub({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    simulator: false,
    scryptCost: 1024,
    routingSweepMs: 300,
    feedPollMs: 100,
    timerPollMs: 50,
    presence: { heartbeatIntervalMs: 200, disconnectAfterMs: 1_200, returnWorkAfterMs: 60_000 },
  });
  admin = LoginResponse.parse(
    await hubJson('/api/v1/auth/login', {
      method: 'POST',
      body: { login: 'admin', password: 'demo' },
    }),
  ).token;
  const chat: Channel[] = ['chat'];
  await createQueue({ name: 'offers-slow', channels: chat, offerTimeouts: { chat: 60 } });
  await createQueue({ name: 'offers-fast', channels: chat, offerTimeouts: { chat: 1 } });
  await createQueue({
    name: 'care-wrap',
    channels: chat,
    autoAccept: chat,
    wrapUpSeconds: 120,
    topicRequired: true,
    topics: ['solved', 'escalated'],
    mode: 'pull',
  });
  await createQueue({
    name: 'care-now',
    channels: chat,
    autoAccept: chat,
    wrapUpSeconds: 0,
    topicRequired: true,
    topics: ['solved', 'escalated'],
    mode: 'pull',
  });
  await createQueue({
    name: 'care-push',
    channels: chat,
    autoAccept: chat,
    topicRequired: true,
    topics: ['solved', 'escalated'],
  });
  const agents = (await hubJson<unknown[]>('/api/v1/agents', { token: admin })).map((a) =>
    AgentOverview.parse(a),
  );
  for (const a of agents) agentIds[a.agent.login] = a.agent.id;
  const member = (login: string, queues: string[]) =>
    hubJson(`/api/v1/admin/agents/${agentIds[login]}/routing`, {
      method: 'PATCH',
      token: admin,
      body: { memberships: queues.map((q) => ({ queueId: queueIds[q], priority: 0 })) },
    });
  // Only their test's queues: the demo queues' traffic cannot reach these agents.
  await member('agent1', ['offers-slow', 'offers-fast']);
  await member('agent2', ['care-wrap', 'care-now', 'care-push']);
  await member('agent3', []);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

afterAll(async () => {
  await hub?.close();
  for (const remove of dirs) remove();
});

/** Services as the shells build them, heartbeating at the hub's (short) interval. */
async function signIn(login: string) {
  const { dir, remove } = tempDir('concierge-routing-');
  dirs.push(remove);
  const events: Recorded[] = [];
  const notifications: Notification[] = [];
  const services: Services = createServices({
    dataDir: dir,
    secrets: new MemorySecretStore(),
    notifier: { notify: (n) => notifications.push(n) },
    app: { version: '0.0.0-test', transport: 'web', platform: process.platform },
    defaultHubUrl: hub.url,
    logger: silentLogger,
    requestTimeoutMs: 3_000,
    streamBackoff: { baseMs: 50, maxMs: 300 },
    streamHeartbeatMs: 1_000,
    presenceIntervalMs: 200,
  });
  services.onEvent((name, payload) => events.push({ name, payload }));
  await services.start();
  let stopped = false;
  cleanups.push(async () => {
    if (stopped) return;
    await services.handlers['agent.setState']({ state: 'offline' }).catch(() => undefined);
    await services.handlers['session.logout']({}).catch(() => undefined);
    await services.stop();
  });
  await services.handlers['session.login']({ hubUrl: hub.url, login, password: 'demo' });
  await waitFor(
    events,
    (e) => e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
    'the stream to come online',
  );
  const crash = async () => {
    stopped = true;
    await services.stop();
  };
  return { handlers: services.handlers, events, notifications, crash };
}

async function chat(queue: string, subject: string) {
  return InboundMessageResponse.parse(
    await hubJson('/api/v1/inbound/messages', {
      method: 'POST',
      token: 'demo-integration-key',
      body: {
        channel: 'chat',
        queue,
        from: { email: `routing.${Date.now()}@example.com`, name: 'Olga Czat' },
        subject,
        text: 'Hello, is anyone there?',
      },
    }),
  );
}

const isWork = (e: Recorded) => e.name === 'work.changed';
const offersOf = (e: Recorded) => (e.payload as Work).offers;
const statusOf = (e: Recorded) => e.payload as AgentStatus;

async function hubState(login: string): Promise<AgentStatus> {
  const agents = (await hubJson<unknown[]>('/api/v1/agents', { token: admin })).map((a) =>
    AgentOverview.parse(a),
  );
  return agents.find((a) => a.agent.login === login)!.status;
}

describe('routing on the console (main services)', () => {
  it('shows an offer with a ring, accepts it into an assigned ticket, and rejects the next', async () => {
    const { handlers, events, notifications } = await signIn('agent1');
    await handlers['agent.setState']({ state: 'available' });

    let mark = events.length;
    const first = await chat('offers-slow', `Offer one ${Date.now()}`);
    const offered = await waitFor(
      events,
      (e) => isWork(e) && offersOf(e).length === 1,
      'the offer in the work list',
      mark,
    );
    const offer = offersOf(offered)[0]!;
    expect(offer.ticket.id).toBe(first.ticketId);
    expect(offer.queueId).toBe(queueIds['offers-slow']);
    // The countdown is the hub's: about the queue's 60 s from now.
    const left = Date.parse(offer.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
    const ring = await waitFor(events, (e) => e.name === 'notify', 'the offer notice', mark);
    expect(ring.payload).toMatchObject({
      kind: 'offer',
      ticketId: first.ticketId,
      offerId: offer.id,
    });
    expect(notifications.at(-1)).toMatchObject({ kind: 'offer', offerId: offer.id });
    await waitFor(
      events,
      (e) => e.name === 'agent.changed' && statusOf(e).state === 'offered',
      'the offered state',
      mark,
    );
    expect((await handlers['work.get']({})).offers.map((o) => o.id)).toEqual([offer.id]);

    mark = events.length;
    const accepted = await handlers['offers.accept']({ offerId: offer.id });
    expect(accepted.ticket.assigneeId).toBe(agentIds.agent1);
    expect(accepted.task.status).toBe('assigned');
    const work = await handlers['work.get']({});
    expect(work.offers).toEqual([]);
    expect(work.tickets.map((t) => t.id)).toContain(first.ticketId);
    // The conversation is cached already, and accepting is not announced as a new assignment.
    expect((await handlers['tickets.get']({ ticketId: first.ticketId })).ticket.id).toBe(
      first.ticketId,
    );
    await waitFor(
      events,
      (e) => e.name === 'agent.changed' && statusOf(e).state === 'busy',
      'busy with the accepted ticket',
      mark,
    );
    expect(events.slice(mark).filter((e) => e.name === 'notify')).toEqual([]);

    // Accepting twice: the hub says the offer is no longer pending, in words.
    const again = await handlers['offers.accept']({ offerId: offer.id }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(BridgeError);
    expect((again as BridgeError).details).toMatchObject({ code: 'offer_not_pending' });

    mark = events.length;
    const second = await chat('offers-slow', `Offer two ${Date.now()}`);
    const next = await waitFor(
      events,
      (e) => isWork(e) && offersOf(e).some((o) => o.ticket.id === second.ticketId),
      'the second offer',
      mark,
    );
    const secondOffer = offersOf(next).find((o) => o.ticket.id === second.ticketId)!;
    mark = events.length;
    const status = await handlers['offers.reject']({ offerId: secondOffer.id, reason: 'busy' });
    expect(status.state).toBe('busy');
    expect((await handlers['work.get']({})).offers).toEqual([]);
    await waitFor(
      events,
      (e) => isWork(e) && offersOf(e).length === 0,
      'the rejected offer gone from the list',
      mark,
    );
    const task = await hubJson<{ status: string; agentId: string | null }>(
      `/api/v1/tasks/${secondOffer.taskId}`,
      { token: admin },
    );
    expect(task).toMatchObject({ status: 'queued', agentId: null });
  });

  it('pauses the agent with "missed offer" when an offer times out on the hub', async () => {
    const { handlers, events } = await signIn('agent1');
    // The accepted ticket of the previous test is still open: close it so only the offer counts.
    for (const t of (await handlers['work.get']({})).tickets)
      await handlers['tickets.close']({ ticketId: t.id });
    await handlers['agent.setState']({ state: 'available' });

    const mark = events.length;
    await chat('offers-fast', `Nobody answers ${Date.now()}`);
    await waitFor(events, (e) => isWork(e) && offersOf(e).length === 1, 'the offer', mark);
    const paused = await waitFor(
      events,
      (e) => e.name === 'agent.changed' && statusOf(e).state === 'paused',
      'the missed-offer pause',
      mark,
      10_000,
    );
    expect(statusOf(paused).reason).toBe('missed_offer');
    await waitFor(
      events,
      (e) => isWork(e) && offersOf(e).length === 0,
      'the timed-out offer gone',
      mark,
    );
    expect((await handlers['work.get']({})).offers).toEqual([]);

    // The pause reason is one the hub knows as a system reason; the agent cannot choose it.
    const reasons = await handlers['pauseReasons.list']({});
    expect(reasons.find((r) => r.code === 'missed_offer')).toMatchObject({ system: true });
    expect(reasons.find((r) => r.code === 'break')).toMatchObject({ system: false });
  });

  it('requires a topic where the queue says so, wraps up with the hub deadline, then is available', async () => {
    const { handlers, events } = await signIn('agent2');
    await handlers['agent.setState']({ state: 'available' });
    const queues = await handlers['queues.list']({});
    expect(queues.find((q) => q.name === 'care-wrap')).toMatchObject({
      mode: 'pull',
      topicRequired: true,
      topics: ['solved', 'escalated'],
    });

    // No wrap-up on this queue: completing without a topic is refused, with the topics.
    const now = await chat('care-now', `Pull me ${Date.now()}`);
    const served = await handlers['work.next']({});
    expect(served.ticket?.id).toBe(now.ticketId);
    const refused = await handlers['tasks.complete']({ taskId: served.task!.id }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(BridgeError);
    expect((refused as BridgeError).details).toMatchObject({
      code: 'topic_required',
      details: { topics: ['solved', 'escalated'] },
    });
    const done = await handlers['tasks.complete']({ taskId: served.task!.id, topic: 'solved' });
    expect(done.task).toMatchObject({ status: 'completed', topic: 'solved' });
    expect(done.status.state).toBe('available');

    // Serve next with nothing waiting: nothing, not an error.
    expect(await handlers['work.next']({})).toEqual({ offer: null, ticket: null, task: null });

    // With wrap-up: Close enters it; the bar learns the deadline and topics from the stream.
    const wrap = await chat('care-wrap', `Wrap me ${Date.now()}`);
    const next = await handlers['work.next']({});
    expect(next.ticket?.id).toBe(wrap.ticketId);
    let mark = events.length;
    const closedAt = Date.now();
    await handlers['tickets.close']({ ticketId: wrap.ticketId });
    const started = await waitFor(
      events,
      (e) => e.name === 'wrapUp.changed' && e.payload !== null,
      'the wrap-up',
      mark,
    );
    const wrapUp = started.payload as NonNullable<WrapUp>;
    expect(wrapUp).toMatchObject({
      ticketId: wrap.ticketId,
      queueName: 'care-wrap',
      topicRequired: true,
      topics: ['solved', 'escalated'],
      extended: false,
    });
    const deadline = Date.parse(wrapUp.until) - closedAt;
    expect(deadline).toBeGreaterThan(110_000);
    expect(deadline).toBeLessThanOrEqual(121_000);
    await waitFor(
      events,
      (e) => e.name === 'agent.changed' && statusOf(e).state === 'wrap_up',
      'the wrap-up state',
      mark,
    );
    expect(await handlers['wrapUp.get']({})).toMatchObject({ topics: ['solved', 'escalated'] });

    // Pause after the current work: the next state is kept until wrap-up ends.
    const pending = await handlers['agent.setState']({
      state: 'paused',
      reason: 'break',
      afterWork: true,
    });
    expect(pending).toMatchObject({ state: 'wrap_up', next: { state: 'paused', reason: 'break' } });

    const extended = await handlers['wrapUp.extend']({});
    expect(Date.parse(extended.wrapUpUntil!)).toBeGreaterThan(Date.parse(wrapUp.until));
    expect(extended.wrapUpExtended).toBe(true);
    await expect(handlers['wrapUp.extend']({})).rejects.toMatchObject({
      details: { code: 'invalid_state' },
    });
    expect(await handlers['wrapUp.get']({})).toMatchObject({ extended: true });

    const noTopic = await handlers['wrapUp.end']({}).catch((e: unknown) => e);
    expect((noTopic as BridgeError).details).toMatchObject({ code: 'topic_required' });

    mark = events.length;
    const ended = await handlers['wrapUp.end']({ topic: 'escalated' });
    expect(ended).toMatchObject({ state: 'paused', reason: 'break', next: null });
    await waitFor(
      events,
      (e) => e.name === 'wrapUp.changed' && e.payload === null,
      'the wrap-up bar to go',
      mark,
    );
    expect(await handlers['wrapUp.get']({})).toBeNull();

    // Back to work: available again.
    expect((await handlers['agent.setState']({ state: 'available' })).state).toBe('available');

    // A pushed ticket: the console learnt its task from the assignment and completes it by ticket.
    mark = events.length;
    const pushed = await chat('care-push', `Pushed ${Date.now()}`);
    await waitFor(
      events,
      (e) => e.name === 'notify' && (e.payload as Notification).ticketId === pushed.ticketId,
      'the pushed assignment',
      mark,
    );
    await expect(handlers['tasks.complete']({ ticketId: pushed.ticketId })).rejects.toMatchObject({
      details: { code: 'topic_required' },
    });
    const byTicket = await handlers['tasks.complete']({
      ticketId: pushed.ticketId,
      topic: 'escalated',
    });
    expect(byTicket.task).toMatchObject({ ticketId: pushed.ticketId, topic: 'escalated' });
    expect((await handlers['tickets.close']({ ticketId: pushed.ticketId })).status).toBe('closed');
    await expect(
      handlers['tasks.complete']({ ticketId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps the agent connected with heartbeats, and the hub notices when they stop', async () => {
    const { handlers, crash } = await signIn('agent3');
    await handlers['agent.setState']({ state: 'available' });
    // Several disconnect periods (1.2 s) pass: the heartbeats keep the agent available.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await hubState('agent3')).state).toBe('available');

    // The console dies without signing out: no more heartbeats.
    await crash();
    const deadline = Date.now() + 8_000;
    let state = (await hubState('agent3')).state;
    while (state !== 'disconnected' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await hubState('agent3')).state;
    }
    expect(state).toBe('disconnected');
  });
});
