import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerSearchResponse, SipSettings } from '../../../src/shared/api/telephony.js';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';

/** Telephony endpoints without Kamailio: SIP settings, the HA1 lookup's key, the screen-pop search. */
describe('hub telephony API', () => {
  let hub: RunningHub;
  let bare: RunningHub;
  let token: string;
  const KEY = 'k-0123456789abcdef';

  const call = async (h: RunningHub, path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body) headers.set('content-type', 'application/json');
    const res = await fetch(new URL(path, h.url), { ...init, headers });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    hub = await startHub({
      scryptCost: 1024,
      telephony: { key: KEY, domain: 'sip.test', wsUrl: 'wss://sip.test:443' },
    });
    bare = await startHub({ scryptCost: 1024 });
    for (const h of [hub, bare]) {
      await h.ctx.tx(async (q) => {
        await ensureAgent(
          q,
          { login: 'agent1', name: 'Agent One', password: 'pw', roles: ['agent'] },
          1024,
        );
        const [a] = await q<{ id: string }>(
          `insert into customers (name) values ('Ewa') returning id`,
        );
        const [b] = await q<{ id: string }>(
          `insert into customers (name) values ('Jan') returning id`,
        );
        await q(
          `insert into customer_identities (customer_id, kind, value) values ($1, 'phone', '+48600100200')`,
          [a!.id],
        );
        await q(
          `insert into customer_identities (customer_id, kind, value) values ($1, 'phone', '48600100201')`,
          [b!.id],
        );
        await q(
          `insert into customer_identities (customer_id, kind, value) values ($1, 'email', 'jan@example.com')`,
          [b!.id],
        );
        await q(
          `insert into tickets (subject, channel, customer_id) values ('Where is my parcel', 'email', $1)`,
          [a!.id],
        );
      });
    }
    const login = await call(hub, '/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'agent1', password: 'pw' }),
    });
    token = (login.body as { token: string }).token;
  }, 30_000);

  afterAll(async () => {
    await hub?.close();
    await bare?.close();
  });

  it('gives the console its SIP settings with an HA1 that the HA1 lookup confirms (with the key only)', async () => {
    const sip = SipSettings.parse((await call(hub, '/api/v1/me/sip', { token })).body);
    expect(sip).toMatchObject({
      username: 'agent1',
      domain: 'sip.test',
      wsUrl: 'wss://sip.test:443',
      displayName: 'Agent One',
    });
    const again = SipSettings.parse((await call(hub, '/api/v1/me/sip', { token })).body);
    expect(again.ha1).toBe(sip.ha1);

    expect((await call(hub, '/api/v1/telephony/sip-auth?user=agent1')).status).toBe(401);
    expect(
      (await call(hub, '/api/v1/telephony/sip-auth?user=agent1&key=wrong-key-000000')).status,
    ).toBe(401);
    const ok = await call(hub, '/api/v1/telephony/sip-auth?user=agent1', {
      headers: { 'x-telephony-key': KEY },
    });
    expect(ok).toEqual({ status: 200, body: { ha1: sip.ha1 } });
    expect((await call(hub, `/api/v1/telephony/sip-auth?user=nobody&key=${KEY}`)).status).toBe(404);
    expect((await call(hub, '/api/v1/me/sip')).status).toBe(401);
  });

  it('answers 404 for SIP settings on a hub without telephony', async () => {
    const login = await call(bare, '/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'agent1', password: 'pw' }),
    });
    const r = await call(bare, '/api/v1/me/sip', {
      token: (login.body as { token: string }).token,
    });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('finds customers by phone, with or without the plus, with their open tickets', async () => {
    const one = CustomerSearchResponse.parse(
      (
        await call(hub, `/api/v1/customers?phone=${encodeURIComponent('+48 600 100 200')}`, {
          token,
        })
      ).body,
    );
    expect(one.matches).toHaveLength(1);
    expect(one.matches[0]!.customer.name).toBe('Ewa');
    expect(one.matches[0]!.openTickets.map((t) => t.subject)).toEqual(['Where is my parcel']);
    const plus = CustomerSearchResponse.parse(
      (await call(hub, `/api/v1/customers?phone=${encodeURIComponent('+48600100201')}`, { token }))
        .body,
    );
    expect(plus.matches[0]!.customer).toMatchObject({ name: 'Jan', email: 'jan@example.com' });
    const none = CustomerSearchResponse.parse(
      (await call(hub, '/api/v1/customers?phone=999888777', { token })).body,
    );
    expect(none.matches).toEqual([]);
    expect((await call(hub, '/api/v1/customers?phone=1', { token })).status).toBe(400);
  });
});
