import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import { freeTcpPort } from '../../support/kamailio.js';
import { FakeEvapi, waitFor } from '../../support/phone-lab.js';

const KEY = 'test-telephony-key-0123456789';

/**
 * Kamailio's evapi side played by a fake (tests/support/phone-lab.ts), so the hub's behaviour
 * while the socket is down can be driven exactly: which commands wait, which are dropped, and
 * that a restarted hub picks its calls up from the database with the same transaction ids —
 * unless Kamailio restarted meanwhile (another instance id in its first hello).
 */
describe('hub commands while the evapi connection is down (fake Kamailio)', () => {
  let dir: string;
  let fake: FakeEvapi;
  let hub: RunningHub;

  const start = async () =>
    startHub({
      dataDir: dir,
      scryptCost: 1024,
      routingSweepMs: 500,
      timerPollMs: 100,
      telephony: {
        key: KEY,
        evapi: { host: '127.0.0.1', port: fake.port },
        ownerRetryMs: [100, 200],
      },
    });

  const api = async <T>(path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body) headers.set('content-type', 'application/json');
    const res = await fetch(new URL(path, hub.url), { ...init, headers });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  let token = '';
  const setState = (state: 'available' | 'paused') =>
    api('/api/v1/me/state', {
      method: 'PUT',
      token,
      body: JSON.stringify(state === 'paused' ? { state, reason: 'break' } : { state }),
    });
  const call = async (callId: string) =>
    (
      await hub.ctx.db.query<{ state: string; outcome: string | null; task_id: string }>(
        'select state, outcome, task_id from calls where call_id = $1',
        [callId],
      )
    )[0];
  const events = async (type: string) =>
    hub.ctx.db.query<{ task_id: string; agent_id: string; data: Record<string, unknown> }>(
      'select task_id, agent_id, data from events where type = $1 order by id',
      [type],
    );
  const health = async () =>
    (
      await api<{
        telephony: { kamailioConnected: boolean; heldCommands: number; evapiOwner: boolean };
      }>('/api/v1/health')
    ).telephony;
  const enter = (tindex: number, callId: string) =>
    fake.send({
      event: 'enter',
      tindex,
      tlabel: tindex * 11,
      callid: callId,
      ftag: `caller-${callId}`,
      queue: 'orders',
      from: '+48600100200',
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'concierge-evapi-hold-'));
    fake = new FakeEvapi(await freeTcpPort());
    await fake.listen();
    hub = await start();
    await hub.ctx.tx(async (q) => {
      await createQueue(q, {
        name: 'orders',
        channels: ['voice', 'callback'],
        priority: 10,
        offerTimeouts: { voice: 8 },
      });
      await ensureAgent(
        q,
        { login: 'agent1', name: 'Agent 1', password: 'pw', roles: ['agent'], queues: ['orders'] },
        1024,
      );
    });
    token = (
      await api<{ token: string }>('/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ login: 'agent1', password: 'pw' }),
      })
    ).token;
    await api('/api/v1/me/sip', { token });
    expect(await hub.calls!.waitConnected(5000)).toBe(true);
  }, 30_000);

  afterAll(async () => {
    await hub?.close();
    await fake?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a ring held across a reconnection is dropped with its call; the caller gets a final answer', async () => {
    await setState('paused');
    enter(1, 'call-1');
    await waitFor(async () => (await call('call-1'))?.state === 'waiting', 'call 1 waiting');

    await fake.down();
    await waitFor(async () => !(await health()).kamailioConnected, 'hub sees the socket down');
    await setState('available'); // the router offers the waiting call: the ring cannot go out
    await waitFor(async () => (await health()).heldCommands === 1, 'the ring command held');
    expect(fake.commandsFor(1)).toEqual([]);

    await fake.listen();
    // This fake sends no hello: a reconnection without one may be a Kamailio restart, so the call is dropped, its held ring with it, and a
    // 480 ends the transaction in case it survived. Nobody is paused for a call they never saw.
    await waitFor(async () => (await call('call-1'))?.state === 'ended', 'call 1 ended');
    await waitFor(() => fake.commandsFor(1).length > 0, 'a final answer for call 1');
    await hub.calls!.idle();
    expect(fake.commandsFor(1)).toEqual([
      { tindex: 1, tlabel: 11, action: 'reply', code: 480, reason: 'No Agent Available' },
    ]);
    const c = (await call('call-1'))!;
    expect(c.outcome).toBe('proxy_lost');
    const abandoned = (await events('task.abandoned')).filter((e) => e.task_id === c.task_id);
    expect(abandoned.map((e) => e.data.reason)).toEqual(['proxy_lost']);
    const revoked = (await events('offer.revoked')).filter((e) => e.task_id === c.task_id);
    expect(revoked.map((e) => e.data.reason)).toEqual(['proxy_lost']);
    const me = await api<{ status: { state: string } }>('/api/v1/me', { token });
    expect(me.status.state).toBe('available');
    expect((await health()).heldCommands).toBe(0);
  }, 20_000);

  it('a restarted hub resumes a waiting call from the database and its held ring goes out on connect', async () => {
    await setState('paused');
    enter(2, 'call-2');
    await waitFor(async () => (await call('call-2'))?.state === 'waiting', 'call 2 waiting');

    // Kamailio keeps the suspended transaction; the hub restarts while the socket is down.
    await hub.close();
    await fake.down();
    hub = await start();
    await waitFor(async () => (await health()).evapiOwner, 'the new hub owns evapi');
    await setState('available');
    await waitFor(async () => (await health()).heldCommands === 1, 'the ring command held');

    await fake.listen();
    await waitFor(() => fake.commandsFor(2).length > 0, 'the held ring for call 2');
    const [route] = fake.commandsFor(2);
    // Same transaction ids as the enter the previous hub received; ring time shortened by the wait.
    expect(route).toMatchObject({ tindex: 2, tlabel: 22, action: 'route', agent: 'agent1' });
    expect(route!.ring).toBeGreaterThan(2000);
    expect(route!.ring).toBeLessThanOrEqual(7000);

    fake.send({ event: 'answered', callid: 'call-2', agent: 'agent1' });
    await waitFor(async () => (await call('call-2'))?.state === 'connected', 'call 2 connected');
    fake.send({ event: 'bye', callid: 'call-2', ftag: 'caller-call-2' });
    await waitFor(async () => (await call('call-2'))?.state === 'ended', 'call 2 ended');
    await hub.calls!.idle();
    const c = (await call('call-2'))!;
    expect(c.outcome).toBe('completed_caller');
    const done = (await events('task.completed')).filter((e) => e.task_id === c.task_id);
    expect(done.map((e) => e.data.hangupBy)).toEqual(['caller']); // caller's tag kept in the row
    const owners = await events('telephony.owner_changed');
    expect(owners.at(-1)!.data).toMatchObject({ resumedCalls: 1, endedCalls: 0 });
  }, 30_000);

  it('a restarted hub ends a resumed call that entered on a Kamailio that restarted meanwhile', async () => {
    // From here the fake greets like Kamailio: the call records the instance it entered on.
    await fake.down();
    fake.hello = 'kamailio-1';
    await fake.listen();
    await waitFor(() => hub.calls!.proxyInstance === 'kamailio-1', 'hub reconnected, hello seen');
    await setState('paused');
    enter(3, 'call-3');
    await waitFor(async () => (await call('call-3'))?.state === 'waiting', 'call 3 waiting');
    expect(
      (
        await hub.ctx.db.query<{ kamailio_instance: string | null }>(
          `select kamailio_instance from calls where call_id = 'call-3'`,
        )
      )[0]?.kamailio_instance,
    ).toBe('kamailio-1');

    // The hub restarts while Kamailio restarts: it resumes the call from its row (no hello yet),
    // then Kamailio's first hello has another instance id: the transaction is gone.
    await hub.close();
    await fake.down();
    fake.hello = 'kamailio-2';
    hub = await start();
    await waitFor(async () => (await health()).evapiOwner, 'the new hub owns evapi');
    await fake.listen();
    await waitFor(async () => (await call('call-3'))?.state === 'ended', 'call 3 ended');
    await waitFor(() => fake.commandsFor(3).length > 0, 'a final answer for call 3');
    await hub.calls!.idle();
    const c = (await call('call-3'))!;
    expect(c.outcome).toBe('proxy_lost');
    const abandoned = (await events('task.abandoned')).filter((e) => e.task_id === c.task_id);
    expect(abandoned.map((e) => e.data.reason)).toEqual(['proxy_lost']);
    expect(fake.commandsFor(3)).toEqual([
      { tindex: 3, tlabel: 33, action: 'reply', code: 480, reason: 'No Agent Available' },
    ]);
    const owners = await events('telephony.owner_changed');
    expect(owners.at(-1)!.data).toMatchObject({ resumedCalls: 1, endedCalls: 0 });
  }, 30_000);
});
