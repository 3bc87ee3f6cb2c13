import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InboundMessageResponse,
  LoginResponse,
  ReplyResponse,
} from '../../src/shared/api/index.js';
import { type SessionState } from '../../src/shared/bridge/contract.js';
import { BridgeError } from '../../src/shared/bridge/errors.js';
import { TicketDetail, type Work } from '../../src/shared/domain/index.js';
import { startHub } from '../../src/hub/server.js';
import { HUB_TOKEN_KEY } from '../../src/main/session/secret-store.js';
import { makeServices, startRelay, tempDir, waitFor } from './main-support.js';

/**
 * The main-process services against a real hub started in this process (demo data, no simulator).
 * Each test signs in a different demo agent so routing in one test cannot steal another's ticket.
 */
let hub: Awaited<ReturnType<typeof startHub>>;
const dirs: (() => void)[] = [];

beforeAll(async () => {
  hub = await startHub({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    simulator: false,
    scryptCost: 1024,
    routingSweepMs: 500,
    feedPollMs: 200,
  });
});

// A failed test must not leave its agent available, or routing hands the next test's ticket to it.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

afterAll(async () => {
  await hub?.close();
  for (const remove of dirs) remove();
});

function track(services: ReturnType<typeof makeServices>['services']) {
  cleanups.push(async () => {
    await services.handlers['agent.setState']({ state: 'offline' }).catch(() => undefined);
    await services.handlers['session.logout']({}).catch(() => undefined);
    await services.stop();
  });
  return services;
}

function dataDir() {
  const { dir, remove } = tempDir('concierge-main-');
  dirs.push(remove);
  return dir;
}

async function hubFetch(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(new URL(path, hub.url), { ...init, headers });
}

async function inbound(email: string, subject: string, text: string) {
  const response = await hubFetch('/api/v1/inbound/messages', {
    method: 'POST',
    token: 'demo-integration-key',
    body: JSON.stringify({ channel: 'email', from: { email, name: 'Ewa Testowa' }, subject, text }),
  });
  expect(response.status).toBe(201);
  return InboundMessageResponse.parse(await response.json());
}

async function hubTicket(ticketId: string, token: string) {
  const response = await hubFetch(`/api/v1/tickets/${ticketId}`, { token });
  expect(response.status).toBe(200);
  return TicketDetail.parse(await response.json());
}

async function supervisorToken() {
  const response = await hubFetch('/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ login: 'lead1', password: 'demo' }),
  });
  return LoginResponse.parse(await response.json()).token;
}

const signedIn = (s: SessionState) => (s.status === 'signed_in' ? s : null);

describe('main services against a real hub', () => {
  it('signs in, survives a restart through the SecretStore, and signs out with the token revoked', async () => {
    const dir = dataDir();
    const first = makeServices({ dataDir: dir, defaultHubUrl: hub.url });
    await first.services.start();
    const { handlers } = first.services;

    expect(await handlers['app.info']({})).toMatchObject({
      transport: 'web',
      defaultHubUrl: hub.url,
    });
    expect(await handlers['session.get']({})).toEqual({ status: 'signed_out', lastHubUrl: null });

    const session = signedIn(
      await handlers['session.login']({ hubUrl: hub.url, login: 'agent1', password: 'demo' }),
    );
    expect(session?.agent.name).toBe('Anna Nowak');
    expect(session?.agentStatus?.agentId).toBe(session?.agent.id);
    await waitFor(
      first.events,
      (e) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
      'the stream to come online',
    );
    const token = await first.secrets.get(HUB_TOKEN_KEY);
    expect(token).toBeTruthy();
    await first.services.stop();

    // A new process: the token comes from the SecretStore, the profile from the cache.
    const second = makeServices({ dataDir: dir, secrets: first.secrets });
    await second.services.start();
    const restored = signedIn(await second.services.handlers['session.get']({}));
    expect(restored?.agent.login).toBe('agent1');
    await waitFor(
      second.events,
      (e) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
      'the restored stream to come online',
    );

    const out = await second.services.handlers['session.logout']({});
    expect(out).toEqual({ status: 'signed_out', lastHubUrl: hub.url.replace(/\/$/, '') });
    expect(await second.secrets.get(HUB_TOKEN_KEY)).toBeNull();
    expect((await hubFetch('/api/v1/me', { token: token! })).status).toBe(401);
    await second.services.stop();
  });

  it('refuses a wrong password with unauthorized and stores nothing', async () => {
    const { services, secrets } = makeServices({ dataDir: dataDir() });
    await services.start();
    const error = await services.handlers['session.login']({
      hubUrl: hub.url,
      login: 'agent1',
      password: 'wrong',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('unauthorized');
    expect(await secrets.get(HUB_TOKEN_KEY)).toBeNull();
    expect(await services.handlers['session.get']({})).toMatchObject({ status: 'signed_out' });
    await expect(services.handlers['work.get']({})).rejects.toMatchObject({
      code: 'not_signed_in',
    });
    await services.stop();
  });

  it('gets an assignment pushed, follows new customer messages, and replies exactly once', async () => {
    const {
      services,
      events,
      notifications,
      secrets: secretsOf,
    } = makeServices({
      dataDir: dataDir(),
    });
    track(services);
    await services.start();
    const { handlers } = services;
    await handlers['session.login']({ hubUrl: hub.url, login: 'agent2', password: 'demo' });
    await waitFor(
      events,
      (e) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
      'online',
    );
    const status = await handlers['agent.setState']({ state: 'available' });
    expect(status.state).toBe('available');
    expect(events.some((e) => e.name === 'agent.changed')).toBe(true);

    const subject = `Parcel missing ${Date.now()}`;
    const mark = events.length;
    const posted = await inbound(
      'ewa.main@example.com',
      subject,
      'My order #4711 has not arrived.',
    );

    const notify = await waitFor(events, (e) => e.name === 'notify', 'the assignment notice', mark);
    const changed = await waitFor(
      events,
      (e) =>
        e.name === 'ticket.changed' &&
        (e.payload as { ticket: { id: string } }).ticket.id === posted.ticketId,
      'ticket.changed for the new ticket',
      mark,
    );
    const detail = TicketDetail.parse(changed.payload);
    expect(notify.payload).toMatchObject({
      kind: 'assignment',
      ticketId: posted.ticketId,
      title: `New ticket #${detail.ticket.number}`,
    });
    expect((notify.payload as { body: string }).body).toContain(subject);
    expect((notify.payload as { body: string }).body).toContain('Ewa Testowa');
    const workEvent = events.slice(mark).find((e) => e.name === 'work.changed');
    expect((workEvent?.payload as Work).tickets.map((t) => t.id)).toContain(posted.ticketId);
    // task.assigned and ticket.assigned describe one assignment: one notice, on both channels.
    await new Promise((r) => setTimeout(r, 500));
    expect(events.slice(mark).filter((e) => e.name === 'notify')).toHaveLength(1);
    expect(notifications.filter((n) => n.ticketId === posted.ticketId)).toHaveLength(1);

    const work = await handlers['work.get']({});
    expect(work.tickets.map((t) => t.id)).toContain(posted.ticketId);
    const opened = await handlers['tickets.get']({ ticketId: posted.ticketId });
    expect(opened.messages.map((m) => m.text)).toEqual(['My order #4711 has not arrived.']);

    // The customer writes again on the same ticket: the open conversation updates by itself.
    const before = events.length;
    await inbound('ewa.main@example.com', subject, 'Any news?');
    await waitFor(
      events,
      (e) =>
        e.name === 'ticket.changed' &&
        (e.payload as { messages: unknown[]; ticket: { id: string } }).ticket.id ===
          posted.ticketId &&
        (e.payload as { messages: unknown[] }).messages.length === 2,
      'the second customer message',
      before,
    );

    const reply = await handlers['tickets.reply']({
      ticketId: posted.ticketId,
      text: 'It ships today.',
    });
    expect(reply.detail.messages.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual([
      'It ships today.',
    ]);
    const lead = await supervisorToken();
    const mine = (await secretsOf.get(HUB_TOKEN_KEY))!;
    const onHub = await hubTicket(posted.ticketId, lead);
    expect(onHub.messages.filter((m) => m.text === 'It ships today.')).toHaveLength(1);

    // The key the services used is the Idempotency-Key: sending it again changes nothing.
    const replay = await hubFetch(`/api/v1/tickets/${posted.ticketId}/replies`, {
      method: 'POST',
      token: mine,
      headers: { 'idempotency-key': reply.replyId },
      body: JSON.stringify({ text: 'It ships today.' }),
    });
    expect(replay.status).toBe(200);
    expect(ReplyResponse.parse(await replay.json()).replayed).toBe(true);
    const after = await hubTicket(posted.ticketId, lead);
    expect(after.messages.filter((m) => m.text === 'It ships today.')).toHaveLength(1);

    const closed = await handlers['tickets.close']({ ticketId: posted.ticketId });
    expect(closed.status).toBe('closed');
    expect((await handlers['work.get']({})).tickets.map((t) => t.id)).not.toContain(
      posted.ticketId,
    );

    await handlers['agent.setState']({ state: 'offline' });
    await handlers['session.logout']({});
    await services.stop();
  });

  it('retries a reply whose answer was lost with the same key: the hub stores it once', async () => {
    // The network fails after the hub applied the reply (the answer never arrives): the classic
    // double-send trap. The services must retry with the same Idempotency-Key.
    const replyKeys: string[] = [];
    let loseNextAnswer = true;
    const lossyFetch: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const response = await fetch(input, init);
      if (init?.method === 'POST' && url.endsWith('/replies')) {
        replyKeys.push(new Headers(init.headers).get('idempotency-key') ?? '');
        if (loseNextAnswer) {
          loseNextAnswer = false;
          await response.text();
          throw new TypeError('fetch failed');
        }
      }
      return response;
    };
    const { services, events, secrets } = makeServices({ dataDir: dataDir(), fetch: lossyFetch });
    track(services);
    await services.start();
    const { handlers } = services;
    await handlers['session.login']({ hubUrl: hub.url, login: 'agent1', password: 'demo' });
    await handlers['agent.setState']({ state: 'available' });
    const mark = events.length;
    const posted = await inbound('lost.answer@example.com', `Lost answer ${Date.now()}`, 'Hello?');
    await waitFor(events, (e) => e.name === 'notify', 'the assignment', mark);

    const reply = await handlers['tickets.reply']({
      ticketId: posted.ticketId,
      text: 'Sent once.',
    });
    expect(replyKeys).toEqual([reply.replyId, reply.replyId]);
    const onHub = await hubTicket(posted.ticketId, (await secrets.get(HUB_TOKEN_KEY))!);
    expect(onHub.messages.filter((m) => m.text === 'Sent once.')).toHaveLength(1);
    expect(reply.detail.messages.filter((m) => m.text === 'Sent once.')).toHaveLength(1);
  });

  it('keeps working from the cache while the hub is unreachable and resumes the stream after it', async () => {
    const relay = await startRelay(new URL(hub.url));
    cleanups.push(() => relay.down());
    const { services, events } = makeServices({ dataDir: dataDir() });
    track(services);
    await services.start();
    const { handlers } = services;
    await handlers['session.login']({ hubUrl: relay.url, login: 'agent3', password: 'demo' });
    await handlers['agent.setState']({ state: 'available' });
    const subject = `Offline check ${Date.now()}`;
    const mark = events.length;
    const posted = await inbound('offline.case@example.com', subject, 'First message');
    await waitFor(events, (e) => e.name === 'notify', 'the assignment', mark);
    await handlers['tickets.get']({ ticketId: posted.ticketId });

    await relay.down();
    const offline = await waitFor(
      events,
      (e) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'offline',
      'the connection to go offline',
      mark,
    );
    expect((offline.payload as { lastError: string | null }).lastError).toBeTruthy();

    // The console keeps working: work list and the conversation come from the cache.
    const work = await handlers['work.get']({});
    expect(work.tickets.map((t) => t.id)).toContain(posted.ticketId);
    const cached = await handlers['tickets.get']({ ticketId: posted.ticketId });
    expect(cached.messages.map((m) => m.text)).toEqual(['First message']);
    await expect(
      handlers['tickets.reply']({ ticketId: posted.ticketId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'hub_unreachable',
    });

    // While offline the customer writes again; after reconnecting, the stream resumes from the
    // last applied event and the ticket catches up without any call from the renderer.
    await inbound('offline.case@example.com', subject, 'Written while you were offline');
    const beforeUp = events.length;
    await relay.up();
    await waitFor(
      events,
      (e) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
      'the connection to come back',
      beforeUp,
    );
    await waitFor(
      events,
      (e) =>
        e.name === 'ticket.changed' &&
        (e.payload as { messages: { text: string }[] }).messages.some(
          (m) => m.text === 'Written while you were offline',
        ),
      'the missed message to be replayed',
      beforeUp,
    );
    await handlers['agent.setState']({ state: 'offline' });
    await handlers['session.logout']({});
    await services.stop();
    await relay.down();
  });

  it('signs out when the hub revokes the token', async () => {
    const { services, events, secrets } = makeServices({ dataDir: dataDir() });
    await services.start();
    await services.handlers['session.login']({ hubUrl: hub.url, login: 'lead1', password: 'demo' });
    const token = await secrets.get(HUB_TOKEN_KEY);
    const revoke = await hubFetch('/api/v1/auth/logout', { method: 'POST', token: token! });
    expect(revoke.status).toBe(204);

    await expect(services.handlers['work.get']({})).rejects.toMatchObject({ code: 'unauthorized' });
    await waitFor(
      events,
      (e) => e.name === 'session.changed' && (e.payload as SessionState).status === 'signed_out',
      'session.changed signed_out',
    );
    expect(await secrets.get(HUB_TOKEN_KEY)).toBeNull();
    expect(await services.handlers['connection.get']({})).toMatchObject({
      status: 'signed_out',
      lastError: expect.stringContaining('sign in again'),
    });
    await services.stop();
  });

  it('starts signed out when the saved token was revoked while the app was closed', async () => {
    const dir = dataDir();
    const first = makeServices({ dataDir: dir });
    await first.services.start();
    await first.services.handlers['session.login']({
      hubUrl: hub.url,
      login: 'agent1',
      password: 'demo',
    });
    const token = await first.secrets.get(HUB_TOKEN_KEY);
    await first.services.stop();
    expect((await hubFetch('/api/v1/auth/logout', { method: 'POST', token: token! })).status).toBe(
      204,
    );

    const second = makeServices({ dataDir: dir, secrets: first.secrets });
    await second.services.start();
    expect(await second.services.handlers['session.get']({})).toMatchObject({
      status: 'signed_out',
    });
    expect(await second.secrets.get(HUB_TOKEN_KEY)).toBeNull();
    await second.services.stop();
  });
});
