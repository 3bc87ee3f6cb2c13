import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiErrorBody,
  InboundMessageResponse,
  LoginResponse,
  ReplyResponse,
} from '../../../src/shared/api/index.js';
import {
  AgentStatus,
  TicketDetail,
  TicketSummary,
  Work,
} from '../../../src/shared/domain/index.js';
import {
  call,
  inbound,
  INTEGRATION_TOKEN,
  login,
  PASSWORD,
  resetFloor,
  setState,
  StreamClient,
  taskOf,
  type TestHub,
  uniqueEmail,
} from './harness.js';

/**
 * The hub's behaviour through its public API. Runs on embedded PGlite (hub-core.test.ts) and on a
 * real PostgreSQL (hub-postgres.test.ts) — the same SQL must behave the same on both.
 */
export function defineCoreSuite(label: string, start: () => Promise<TestHub | undefined>): void {
  describe(`hub core (${label})`, () => {
    let t: TestHub;
    let url: string;
    type Login = 'a1' | 'a2' | 'a3' | 'a4' | 'sup' | 'adm';
    const tokens = {} as Record<Login, string>;

    beforeAll(async () => {
      const started = await start();
      if (!started) return;
      t = started;
      url = t.url;
      for (const name of ['a1', 'a2', 'a3', 'a4', 'sup', 'adm'] as const)
        tokens[name] = await login(url, name);
    });
    afterAll(async () => {
      await t?.close();
    });
    beforeEach(async (test) => {
      if (!t) test.skip('the hub did not start: see the error of beforeAll');
      await resetFloor(t);
    });

    describe('auth and roles', () => {
      it('logs in with the right password and refuses a wrong one with 401', async () => {
        const ok = await call(url, 'POST', '/api/v1/auth/login', {
          body: { login: 'a1', password: PASSWORD },
        });
        expect(ok.status).toBe(200);
        expect(LoginResponse.parse(ok.body).agent.login).toBe('a1');

        const wrong = await call(url, 'POST', '/api/v1/auth/login', {
          body: { login: 'a1', password: 'nope' },
        });
        expect(wrong.status).toBe(401);
        expect(ApiErrorBody.parse(wrong.body).error.code).toBe('unauthorized');
        const unknown = await call(url, 'POST', '/api/v1/auth/login', {
          body: { login: 'ghost', password: 'x' },
        });
        expect(unknown.status).toBe(401);
      });

      it('answers 401 without a token or with a made-up one', async () => {
        for (const token of [undefined, 'made-up-token-that-does-not-exist']) {
          const res = await call(url, 'GET', '/api/v1/me', token ? { token } : {});
          expect(res.status).toBe(401);
          expect(ApiErrorBody.parse(res.body).error.code).toBe('unauthorized');
        }
      });

      it('GET /me returns the agent and state; logout revokes the token and logs the agent out', async () => {
        const token = await login(url, 'a3');
        await setState(url, token, 'available');
        const me = await call<{ agent: { login: string }; status: unknown }>(
          url,
          'GET',
          '/api/v1/me',
          { token },
        );
        expect(me.status).toBe(200);
        expect(me.body.agent.login).toBe('a3');
        expect(AgentStatus.parse(me.body.status).state).toBe('available');

        // a3 still has the suite's session, so logging out this one keeps them available.
        expect((await call(url, 'POST', '/api/v1/auth/logout', { token })).status).toBe(204);
        expect((await call(url, 'GET', '/api/v1/me', { token })).status).toBe(401);
        const still = await call<{ status: { state: string } }>(url, 'GET', '/api/v1/me', {
          token: tokens.a3,
        });
        expect(still.body.status.state).toBe('available');
        // Logging out the last session logs the agent out: no more work is routed to them.
        expect((await call(url, 'POST', '/api/v1/auth/logout', { token: tokens.a3 })).status).toBe(
          204,
        );
        const rows = await t.hub.ctx.db.query<{ state: string }>(
          'select state from agents where id = $1',
          [t.ids.a3],
        );
        expect(rows[0]!.state).toBe('logged_out');
        // Signing in again: signed in but not taking work until they choose available.
        tokens.a3 = await login(url, 'a3');
        const back = await call<{ status: { state: string } }>(url, 'GET', '/api/v1/me', {
          token: tokens.a3,
        });
        expect(back.body.status.state).toBe('offline');
      });

      it('an agent cannot call admin endpoints; an admin can create an integration token', async () => {
        const denied = await call(url, 'POST', '/api/v1/admin/integration-tokens', {
          token: tokens.a1,
          body: { name: 'shop webhook' },
        });
        expect(denied.status).toBe(403);
        expect(ApiErrorBody.parse(denied.body).error.code).toBe('forbidden');
        const supDenied = await call(url, 'POST', '/api/v1/admin/integration-tokens', {
          token: tokens.sup,
          body: { name: 'shop webhook' },
        });
        expect(supDenied.status).toBe(403);

        const created = await call<{ token: string }>(
          url,
          'POST',
          '/api/v1/admin/integration-tokens',
          {
            token: tokens.adm,
            body: { name: 'shop webhook' },
          },
        );
        expect(created.status).toBe(201);
        const posted = await call(url, 'POST', '/api/v1/inbound/messages', {
          token: created.body.token,
          body: { channel: 'email', from: { email: uniqueEmail('newtoken') }, text: 'Hi' },
        });
        expect(posted.status).toBe(201);
      });

      it('integration tokens only work for inbound, and inbound needs one', async () => {
        const asIntegration = await call(url, 'GET', '/api/v1/me', { token: INTEGRATION_TOKEN });
        expect(asIntegration.status).toBe(403);
        const asAgent = await call(url, 'POST', '/api/v1/inbound/messages', {
          token: tokens.a1,
          body: { channel: 'email', from: { email: uniqueEmail('x') }, text: 'Hi' },
        });
        expect(asAgent.status).toBe(403);
        const anonymous = await call(url, 'POST', '/api/v1/inbound/messages', {
          body: { channel: 'email', from: { email: uniqueEmail('x') }, text: 'Hi' },
        });
        expect(anonymous.status).toBe(401);
      });

      it("an agent cannot read or reply to another agent's ticket; a supervisor can read it", async () => {
        await setState(url, tokens.a1, 'available');
        const r = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('own') },
          text: 'Mine?',
        });
        expect((await taskOf(t, r.taskId!)).agent_id).toBe(t.ids.a1);

        const other = await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, { token: tokens.a2 });
        expect(other.status).toBe(403);
        const reply = await call(url, 'POST', `/api/v1/tickets/${r.ticketId}/replies`, {
          token: tokens.a2,
          headers: { 'idempotency-key': randomUUID() },
          body: { text: 'not mine' },
        });
        expect(reply.status).toBe(403);
        const close = await call(url, 'POST', `/api/v1/tickets/${r.ticketId}/close`, {
          token: tokens.a2,
        });
        expect(close.status).toBe(403);

        const own = await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, { token: tokens.a1 });
        expect(own.status).toBe(200);
        const sup = await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, { token: tokens.sup });
        expect(sup.status).toBe(200);
        expect(TicketDetail.parse(sup.body).messages.map((m) => m.text)).toEqual(['Mine?']);
      });
    });

    describe('inbound → ticket → task → assignment', () => {
      it('creates customer, ticket and task, and assigns it to the available agent', async () => {
        await setState(url, tokens.a2, 'available');
        const email = uniqueEmail('flow');
        const res = await call(url, 'POST', '/api/v1/inbound/messages', {
          token: INTEGRATION_TOKEN,
          body: {
            channel: 'email',
            from: { email, name: 'Ola' },
            subject: 'Parcel',
            text: 'Where is it?',
          },
        });
        expect(res.status).toBe(201);
        const r = InboundMessageResponse.parse(res.body);
        expect(r).toMatchObject({
          customerCreated: true,
          ticketCreated: true,
          ticketReopened: false,
          duplicate: false,
        });
        expect(await taskOf(t, r.taskId!)).toEqual({ status: 'assigned', agent_id: t.ids.a2 });

        const work = Work.parse(
          (await call(url, 'GET', '/api/v1/me/work', { token: tokens.a2 })).body,
        );
        expect(work.tickets.map((x) => x.id)).toEqual([r.ticketId]);
        expect(work.offers).toEqual([]);
        const detail = await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, {
          token: tokens.a2,
        });
        const d = TicketDetail.parse(detail.body);
        expect(detail.headers.get('etag')).toBe(`"${d.ticket.version}"`);
        expect(d.ticket).toMatchObject({ subject: 'Parcel', status: 'open', assigneeId: t.ids.a2 });
        expect(d.customer).toMatchObject({ name: 'Ola', email });
        expect(d.messages).toEqual([
          expect.objectContaining({ direction: 'in', text: 'Where is it?' }),
        ]);

        const notModified = await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, {
          token: tokens.a2,
          headers: { 'if-none-match': `"${d.ticket.version}"` },
        });
        expect(notModified.status).toBe(304);
      });

      it('matches the customer by e-mail (any case) and by phone (any formatting)', async () => {
        const email = uniqueEmail('match');
        const first = await inbound(url, {
          channel: 'email',
          from: { email, phone: '+48 600 100 200' },
          text: 'First message',
        });
        const byEmail = await inbound(url, {
          channel: 'chat',
          from: { email: email.toUpperCase() },
          text: 'Second',
        });
        expect(byEmail.customerId).toBe(first.customerId);
        expect(byEmail.customerCreated).toBe(false);
        // The open ticket gets the message; it already has a live task, so no second one.
        expect(byEmail.ticketId).toBe(first.ticketId);
        expect(byEmail.taskId).toBeNull();

        const byPhone = await inbound(url, {
          channel: 'chat',
          from: { phone: '+48600-100-200' },
          text: 'Third',
        });
        expect(byPhone.customerId).toBe(first.customerId);

        const stranger = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('other') },
          text: 'Hi',
        });
        expect(stranger.customerId).not.toBe(first.customerId);
        expect(stranger.ticketId).not.toBe(first.ticketId);

        const detail = TicketDetail.parse(
          (await call(url, 'GET', `/api/v1/tickets/${first.ticketId}`, { token: tokens.sup })).body,
        );
        expect(detail.messages.map((m) => m.text)).toEqual(['First message', 'Second', 'Third']);
        expect(detail.customer.phone).toBe('+48600100200');
      });

      it('when the e-mail and the phone belong to two customers, the e-mail decides', async () => {
        const byEmail = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('owner') },
          text: 'I own the e-mail',
        });
        const phone = `+48 601 ${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
        const byPhone = await inbound(url, { channel: 'chat', from: { phone }, text: 'Mine' });
        expect(byPhone.customerId).not.toBe(byEmail.customerId);
        const email = (
          await call<{ customer: { email: string } }>(
            url,
            'GET',
            `/api/v1/tickets/${byEmail.ticketId}`,
            { token: tokens.sup },
          )
        ).body.customer.email;

        const both = await inbound(url, { channel: 'chat', from: { email, phone }, text: 'Both' });
        expect(both.customerId).toBe(byEmail.customerId);
        const phoneOnly = await inbound(url, { channel: 'chat', from: { phone }, text: 'Again' });
        expect(phoneOnly.customerId).toBe(byPhone.customerId);
      });

      it('a repeated externalId is stored once', async () => {
        const body = {
          channel: 'email' as const,
          from: { email: uniqueEmail('dedup') },
          text: 'Webhook retry',
          externalId: `msg-${randomUUID()}`,
        };
        const first = await inbound(url, body);
        const again = await call<InboundMessageResponse>(url, 'POST', '/api/v1/inbound/messages', {
          token: INTEGRATION_TOKEN,
          body,
        });
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({
          duplicate: true,
          messageId: first.messageId,
          ticketId: first.ticketId,
        });
        const rows = await t.hub.ctx.db.query('select id from messages where ticket_id = $1', [
          first.ticketId,
        ]);
        expect(rows).toHaveLength(1);
      });

      it('gives the task to the agent idle the longest, then rotates', async () => {
        await setState(url, tokens.a2, 'available');
        await new Promise((r) => setTimeout(r, 20));
        await setState(url, tokens.a1, 'available');
        const first = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('idle1') },
          text: '1',
        });
        expect((await taskOf(t, first.taskId!)).agent_id).toBe(t.ids.a2);
        const second = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('idle2') },
          text: '2',
        });
        expect((await taskOf(t, second.taskId!)).agent_id).toBe(t.ids.a1);
        const third = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('idle3') },
          text: '3',
        });
        expect((await taskOf(t, third.taskId!)).agent_id).toBe(t.ids.a2);
      });

      it('respects capacity per channel and fills the freed slot when a ticket is closed', async () => {
        await t.hub.ctx.db.query(
          `update agent_capacity set capacity = 1 where agent_id = $1 and channel = 'chat'`,
          [t.ids.a1],
        );
        await setState(url, tokens.a1, 'available');
        const first = await inbound(url, {
          channel: 'chat',
          from: { email: uniqueEmail('cap1') },
          text: 'one',
        });
        const second = await inbound(url, {
          channel: 'chat',
          from: { email: uniqueEmail('cap2') },
          text: 'two',
        });
        expect((await taskOf(t, first.taskId!)).agent_id).toBe(t.ids.a1);
        expect(await taskOf(t, second.taskId!)).toEqual({ status: 'queued', agent_id: null });
        // Another channel has its own capacity.
        const mail = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('cap3') },
          text: 'mail',
        });
        expect((await taskOf(t, mail.taskId!)).agent_id).toBe(t.ids.a1);

        const closed = await call(url, 'POST', `/api/v1/tickets/${first.ticketId}/close`, {
          token: tokens.a1,
        });
        expect(closed.status).toBe(200);
        expect(TicketSummary.parse(closed.body).status).toBe('closed');
        expect((await taskOf(t, first.taskId!)).status).toBe('completed');
        expect(await taskOf(t, second.taskId!)).toEqual({ status: 'assigned', agent_id: t.ids.a1 });
      });

      it('a paused agent gets nothing; queued work drains, highest priority first, when they return', async () => {
        await setState(url, tokens.a1, 'paused', 'break');
        const low = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('p-low') },
          text: 'low',
          queue: 'support',
        });
        const old = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('p-old') },
          text: 'old',
        });
        const young = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('p-new') },
          text: 'new',
        });
        expect((await taskOf(t, old.taskId!)).status).toBe('queued');
        await t.hub.ctx.db.query(
          `update agent_capacity set capacity = 1 where agent_id = $1 and channel = 'email'`,
          [t.ids.a1],
        );
        await setState(url, tokens.a1, 'available');
        expect((await taskOf(t, old.taskId!)).agent_id).toBe(t.ids.a1);
        expect((await taskOf(t, young.taskId!)).status).toBe('queued');
        // a1 is not in `support`, so that task waits for a member.
        expect((await taskOf(t, low.taskId!)).status).toBe('queued');
      });

      it('respects queue membership', async () => {
        await setState(url, tokens.a4, 'available');
        const sales = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('q1') },
          text: 'sales',
        });
        expect((await taskOf(t, sales.taskId!)).status).toBe('queued');
        const support = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('q2') },
          text: 'support',
          queue: 'support',
        });
        expect((await taskOf(t, support.taskId!)).agent_id).toBe(t.ids.a4);
        const unknownQueue = await call(url, 'POST', '/api/v1/inbound/messages', {
          token: INTEGRATION_TOKEN,
          body: { channel: 'email', from: { email: uniqueEmail('q3') }, text: 'x', queue: 'nope' },
        });
        expect(unknownQueue.status).toBe(400);
      });

      it('reopens a recently closed ticket: back to its available assignee, else queued', async () => {
        await setState(url, tokens.a1, 'available');
        const email = uniqueEmail('reopen');
        const first = await inbound(url, {
          channel: 'email',
          from: { email },
          text: 'Order missing',
        });
        await call(url, 'POST', `/api/v1/tickets/${first.ticketId}/close`, { token: tokens.a1 });

        const back = await inbound(url, {
          channel: 'email',
          from: { email },
          text: 'Still missing!',
        });
        expect(back).toMatchObject({
          ticketId: first.ticketId,
          ticketReopened: true,
          ticketCreated: false,
        });
        expect(await taskOf(t, back.taskId!)).toEqual({ status: 'assigned', agent_id: t.ids.a1 });
        const queuedEvents = await t.hub.ctx.db.query(
          `select 1 from events where type = 'task.queued' and task_id = $1`,
          [back.taskId],
        );
        expect(queuedEvents).toHaveLength(0);

        await call(url, 'POST', `/api/v1/tickets/${first.ticketId}/close`, { token: tokens.a1 });
        await setState(url, tokens.a1, 'offline');
        await setState(url, tokens.a2, 'available');
        const third = await inbound(url, { channel: 'email', from: { email }, text: 'Hello??' });
        expect(third.ticketReopened).toBe(true);
        expect((await taskOf(t, third.taskId!)).agent_id).toBe(t.ids.a2);

        // Closed longer ago than the reopen window: a new ticket.
        await call(url, 'POST', `/api/v1/tickets/${first.ticketId}/close`, { token: tokens.a2 });
        await t.hub.ctx.db.query(
          `update tickets set closed_at = now() - interval '8 days' where id = $1`,
          [first.ticketId],
        );
        const fresh = await inbound(url, {
          channel: 'email',
          from: { email },
          text: 'New question',
        });
        expect(fresh.ticketCreated).toBe(true);
        expect(fresh.ticketId).not.toBe(first.ticketId);
        expect(fresh.customerId).toBe(first.customerId);
      });
    });

    describe('stream', () => {
      it("pushes the assignment to that agent's stream only; supervisors see everything", async () => {
        const s1 = new StreamClient(url, { token: tokens.a1 });
        const s2 = new StreamClient(url, { queryToken: tokens.a2 });
        const sup = new StreamClient(url, { token: tokens.sup });
        await Promise.all([s1.ready(), s2.ready(), sup.ready()]);
        await setState(url, tokens.a1, 'available');
        const email = uniqueEmail('ws');
        const r = await inbound(url, { channel: 'chat', from: { email }, text: 'Push me' });

        const assigned = await s1.waitFor((c) =>
          c.events.find((e) => e.type === 'ticket.assigned' && e.ticketId === r.ticketId),
        );
        expect(assigned.agentId).toBe(t.ids.a1);
        expect(TicketSummary.parse(assigned.data.ticket).assigneeId).toBe(t.ids.a1);
        await sup.waitFor((c) =>
          c.events.find((e) => e.type === 'ticket.assigned' && e.ticketId === r.ticketId),
        );
        expect(sup.events.map((e) => e.type)).toEqual(
          expect.arrayContaining([
            'customer.created',
            'ticket.created',
            'message.received',
            'task.queued',
          ]),
        );
        // Later messages on the ticket reach its assignee.
        await inbound(url, { channel: 'chat', from: { email }, text: 'Any news?' });
        const followUp = await s1.waitFor((c) =>
          c.events.find(
            (e) =>
              e.type === 'message.received' &&
              e.data.message &&
              e.ticketId === r.ticketId &&
              (e.data.message as { text: string }).text === 'Any news?',
          ),
        );
        expect(followUp.agentId).toBe(t.ids.a1);
        s2.close();
        s1.close();
        sup.close();
        expect(s2.events.some((e) => e.ticketId === r.ticketId)).toBe(false);
        expect(s2.events.every((e) => e.agentId === t.ids.a2 || e.agentId === null)).toBe(true);
        const ids = sup.events.map((e) => e.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      });

      it("a new customer's ticket and first message in the events are as stored", async () => {
        const sup = new StreamClient(url, { token: tokens.sup });
        await sup.ready();
        const email = uniqueEmail('stored');
        const before = await inbound(url, { channel: 'chat', from: { email }, text: 'one' });
        const r = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('stored2'), name: 'Ewa Nowak' },
          subject: 'Zwrot',
          text: 'Chcę zwrócić buty',
          externalId: `ext-${email}`,
        });
        const created = await sup.waitFor((c) =>
          c.events.find((e) => e.type === 'ticket.created' && e.ticketId === r.ticketId),
        );
        const received = await sup.waitFor((c) =>
          c.events.find((e) => e.type === 'message.received' && e.ticketId === r.ticketId),
        );
        sup.close();
        const d = TicketDetail.parse(
          (await call(url, 'GET', `/api/v1/tickets/${r.ticketId}`, { token: tokens.sup })).body,
        );
        const shown = TicketSummary.parse(created.data.ticket);
        const { version: _v, assigneeId: _a, updatedAt: _u, ...stable } = d.ticket;
        expect(shown).toMatchObject({ ...stable, version: 1, assigneeId: null });
        expect(shown.updatedAt).toBe(shown.createdAt);
        expect(shown).toMatchObject({ subject: 'Zwrot', customerName: 'Ewa Nowak' });
        expect(received.data.message).toEqual(d.messages[0]);
        expect(received.data.message).toMatchObject({ id: r.messageId, authorName: 'Ewa Nowak' });
        // Numbers keep counting up, one per new ticket.
        const prev = TicketDetail.parse(
          (await call(url, 'GET', `/api/v1/tickets/${before.ticketId}`, { token: tokens.sup }))
            .body,
        );
        expect(shown.number).toBe(prev.ticket.number + 1);
      });

      it('resumes after the last event id with exactly the missed events, in order', async () => {
        const first = new StreamClient(url, { token: tokens.sup });
        const start = await first.ready();
        await inbound(url, { channel: 'email', from: { email: uniqueEmail('r1') }, text: 'seen' });
        const seen = await first.waitFor((c) => c.events.find((e) => e.type === 'task.queued'));
        first.close();
        await first.closed;

        await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('r2') },
          text: 'missed 1',
        });
        await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('r3') },
          text: 'missed 2',
        });
        const missed = await t.hub.ctx.db.query<{ id: string }>(
          'select id from events where id > $1 order by id',
          [seen.id],
        );
        expect(missed.length).toBeGreaterThanOrEqual(8);

        const resumed = new StreamClient(url, { token: tokens.sup, after: seen.id });
        expect(await resumed.ready()).toBe(seen.id);
        await resumed.waitFor((c) => c.events.length >= missed.length || undefined);
        await setState(url, tokens.a3, 'available');
        const live = await resumed.waitFor((c) =>
          c.events.find((e) => e.type === 'agent.state_changed'),
        );
        resumed.close();
        const got = resumed.events.map((e) => e.id);
        expect(got.slice(0, missed.length)).toEqual(missed.map((m) => Number(m.id)));
        expect(live.id).toBeGreaterThan(Number(missed[missed.length - 1]!.id));
        expect(new Set(got).size).toBe(got.length);
        expect(start).toBeLessThan(seen.id);
      });

      it('closes with 4401 on a bad token', async () => {
        const bad = new StreamClient(url, { token: 'not-a-real-token-at-all' });
        expect(await bad.closed).toBe(4401);
        const frame = bad.frames[0];
        expect(frame).toMatchObject({ kind: 'error', code: 'unauthorized' });
        const none = new StreamClient(url, {});
        expect(await none.closed).toBe(4401);
      });
    });

    describe('idempotent replies', () => {
      async function assignedTicket(): Promise<string> {
        await setState(url, tokens.a1, 'available');
        const r = await inbound(url, {
          channel: 'email',
          from: { email: uniqueEmail('reply') },
          text: 'Help',
        });
        return r.ticketId;
      }
      const outCount = async (ticketId: string): Promise<number> =>
        (
          await t.hub.ctx.db.query(
            `select 1 from messages where ticket_id = $1 and direction = 'out'`,
            [ticketId],
          )
        ).length;

      it('same key twice creates one reply; the second answer is the stored one', async () => {
        const ticketId = await assignedTicket();
        const key = randomUUID();
        const send = () =>
          call(url, 'POST', `/api/v1/tickets/${ticketId}/replies`, {
            token: tokens.a1,
            headers: { 'idempotency-key': key },
            body: { text: 'On its way!' },
          });
        const first = await send();
        expect(first.status).toBe(201);
        const a = ReplyResponse.parse(first.body);
        expect(a.replayed).toBe(false);
        const second = await send();
        expect(second.status).toBe(200);
        const b = ReplyResponse.parse(second.body);
        expect(b).toEqual({ ...a, replayed: true });
        expect(await outCount(ticketId)).toBe(1);
      });

      it('concurrent requests with the same key create one reply', async () => {
        const ticketId = await assignedTicket();
        const key = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            call<{ message: { id: string } }>(url, 'POST', `/api/v1/tickets/${ticketId}/replies`, {
              token: tokens.a1,
              headers: { 'idempotency-key': key },
              body: { text: 'Only once' },
            }),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
        expect(new Set(results.map((r) => r.body.message.id)).size).toBe(1);
        expect(await outCount(ticketId)).toBe(1);
      });

      it('same key with a different body is 422; a missing key is 400; a stale If-Match is 412', async () => {
        const ticketId = await assignedTicket();
        const key = randomUUID();
        const path = `/api/v1/tickets/${ticketId}/replies`;
        expect(
          (
            await call(url, 'POST', path, {
              token: tokens.a1,
              headers: { 'idempotency-key': key },
              body: { text: 'A' },
            })
          ).status,
        ).toBe(201);
        const reused = await call(url, 'POST', path, {
          token: tokens.a1,
          headers: { 'idempotency-key': key },
          body: { text: 'B' },
        });
        expect(reused.status).toBe(422);
        expect(ApiErrorBody.parse(reused.body).error.code).toBe('idempotency_key_reused');
        const noKey = await call(url, 'POST', path, { token: tokens.a1, body: { text: 'C' } });
        expect(noKey.status).toBe(400);
        expect(ApiErrorBody.parse(noKey.body).error.code).toBe('bad_request');
        const stale = await call(url, 'POST', path, {
          token: tokens.a1,
          headers: { 'idempotency-key': randomUUID(), 'if-match': '"0"' },
          body: { text: 'D' },
        });
        expect(stale.status).toBe(412);
        expect(await outCount(ticketId)).toBe(1);
      });

      it('a reply to a closed ticket is 409 and leaves the key unused', async () => {
        const ticketId = await assignedTicket();
        await call(url, 'POST', `/api/v1/tickets/${ticketId}/close`, { token: tokens.a1 });
        const res = await call(url, 'POST', `/api/v1/tickets/${ticketId}/replies`, {
          token: tokens.a1,
          headers: { 'idempotency-key': randomUUID() },
          body: { text: 'late' },
        });
        expect(res.status).toBe(409);
        expect(ApiErrorBody.parse(res.body).error.code).toBe('conflict');
      });
    });

    describe('HTTP surface', () => {
      it('errors are JSON with stable codes', async () => {
        const missing = await call(url, 'GET', '/api/v1/does-not-exist');
        expect(missing.status).toBe(404);
        expect(ApiErrorBody.parse(missing.body).error.code).toBe('not_found');
        const badJson = await call(url, 'POST', '/api/v1/auth/login', { rawBody: '{"login":' });
        expect(badJson.status).toBe(400);
        expect(ApiErrorBody.parse(badJson.body).error.code).toBe('bad_request');
        const invalid = await call(url, 'PUT', '/api/v1/me/state', {
          token: tokens.a1,
          body: { state: 'sleeping' },
        });
        expect(invalid.status).toBe(400);
        const parsed = ApiErrorBody.parse(invalid.body);
        expect(parsed.error.details).toMatchObject({
          issues: [expect.objectContaining({ path: '/state' })],
        });
        const notUuid = await call(url, 'GET', '/api/v1/tickets/42', { token: tokens.sup });
        expect(notUuid.status).toBe(400);
        const noTicket = await call(url, 'GET', `/api/v1/tickets/${randomUUID()}`, {
          token: tokens.sup,
        });
        expect(noTicket.status).toBe(404);
        expect(ApiErrorBody.parse(noTicket.body).error.code).toBe('not_found');
      });

      it('serves health, queues and an OpenAPI document listing every endpoint', async () => {
        expect((await call(url, 'GET', '/api/v1/health')).body).toMatchObject({ ok: true });
        const queues = await call<{ name: string }[]>(url, 'GET', '/api/v1/queues', {
          token: tokens.a1,
        });
        expect(queues.body.map((q) => q.name)).toEqual(['sales', 'support']);
        const doc = await call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
          url,
          'GET',
          '/api/openapi.json',
        );
        expect(doc.status).toBe(200);
        expect(doc.body.openapi).toMatch(/^3\./);
        const endpoints = Object.entries(doc.body.paths).flatMap(([p, ops]) =>
          Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
        );
        expect(endpoints).toEqual(
          expect.arrayContaining([
            'POST /api/v1/auth/login',
            'POST /api/v1/auth/logout',
            'GET /api/v1/me',
            'PUT /api/v1/me/state',
            'GET /api/v1/me/work',
            'GET /api/v1/tickets/{id}',
            'POST /api/v1/tickets/{id}/replies',
            'POST /api/v1/tickets/{id}/close',
            'POST /api/v1/inbound/messages',
            'GET /api/v1/queues',
            'GET /api/v1/health',
            'POST /api/v1/admin/integration-tokens',
          ]),
        );
        // OpenAPI 3.0 cannot describe a WebSocket; the document points to it instead.
        expect(JSON.stringify(doc.body)).toContain('/api/v1/stream');
      });
    });
  });
}
