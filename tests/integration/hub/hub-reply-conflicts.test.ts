import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyConflictDetails, ApiErrorBody } from '../../../src/shared/api/index.js';
import { TicketDetail } from '../../../src/shared/domain/index.js';
import { raiseHorizon } from '../../../src/hub/events/horizon.js';
import {
  call,
  inbound,
  login,
  setState,
  startTestHub,
  StreamClient,
  uniqueEmail,
  type TestHub,
} from './harness.js';

/** Conditional replies (If-Match) and the stream's cursor_too_old (issue 4). */
describe('reply conflicts and stream horizon', () => {
  let t: TestHub;
  let a1: string;
  let sup: string;

  beforeAll(async () => {
    t = await startTestHub();
    a1 = await login(t.url, 'a1');
    sup = await login(t.url, 'sup');
    await setState(t.url, a1, 'available');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A new ticket assigned to a1, and its version as a1 sees it. */
  async function myTicket(tag: string): Promise<{ id: string; email: string; version: number }> {
    const email = uniqueEmail(tag);
    const { ticketId } = await inbound(t.url, {
      channel: 'email',
      from: { email, name: 'Ewa' },
      subject: `Order ${tag}`,
      text: 'Where is my parcel?',
      queue: 'sales',
    });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const res = await call(t.url, 'GET', `/api/v1/tickets/${ticketId}`, { token: a1 });
      if (res.status === 200) {
        const detail = TicketDetail.parse(res.body);
        return { id: ticketId, email, version: detail.ticket.version };
      }
      if (Date.now() > deadline) throw new Error(`ticket ${tag} was not assigned to a1`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const reply = (
    ticketId: string,
    text: string,
    opts: { key?: string; ifMatch?: number; token?: string } = {},
  ) =>
    call(t.url, 'POST', `/api/v1/tickets/${ticketId}/replies`, {
      token: opts.token ?? a1,
      body: { text },
      headers: {
        'idempotency-key': opts.key ?? randomUUID(),
        ...(opts.ifMatch === undefined ? {} : { 'if-match': `"${opts.ifMatch}"` }),
      },
    });

  const conflict = (body: unknown) => {
    const error = ApiErrorBody.parse(body).error;
    return { code: error.code, details: ReplyConflictDetails.parse(error.details) };
  };

  it("lets a reply through when the only change since its version is the agent's own reply", async () => {
    const ticket = await myTicket('own-replies');
    expect((await reply(ticket.id, 'first', { ifMatch: ticket.version })).status).toBe(201);
    expect((await reply(ticket.id, 'second', { ifMatch: ticket.version })).status).toBe(201);
  });

  it('refuses with 412 newer_customer_message and shows the new message; send anyway applies once', async () => {
    const ticket = await myTicket('newer-message');
    await inbound(t.url, {
      channel: 'email',
      from: { email: ticket.email },
      text: 'Actually, cancel the order please.',
    });
    const key = randomUUID();
    const refused = await reply(ticket.id, 'Your parcel ships today.', {
      key,
      ifMatch: ticket.version,
    });
    expect(refused.status).toBe(412);
    const { code, details } = conflict(refused.body);
    expect(code).toBe('precondition_failed');
    expect(details.reason).toBe('newer_customer_message');
    expect(details.newMessages?.map((m) => m.text)).toContain('Actually, cancel the order please.');

    // Send anyway: same key, no If-Match. The refused attempt stored nothing, so it applies now,
    // and a retry of the send-anyway is a replay, not a second message.
    const anyway = await reply(ticket.id, 'Your parcel ships today.', { key });
    expect(anyway.status).toBe(201);
    const again = await reply(ticket.id, 'Your parcel ships today.', {
      key,
      ifMatch: ticket.version,
    });
    expect(again.status).toBe(200);
    const detail = TicketDetail.parse(
      (await call(t.url, 'GET', `/api/v1/tickets/${ticket.id}`, { token: a1 })).body,
    );
    expect(detail.messages.filter((m) => m.text === 'Your parcel ships today.')).toHaveLength(1);
  });

  it('refuses with 412 reassigned, to the former assignee and to a supervisor', async () => {
    const ticket = await myTicket('reassigned');
    await t.hub.ctx.db.query(
      'update tickets set assignee_id = $2, version = version + 1 where id = $1',
      [ticket.id, t.ids.a2],
    );
    const mine = await reply(ticket.id, 'I will check.', { ifMatch: ticket.version });
    expect(mine.status).toBe(412);
    expect(conflict(mine.body).details).toEqual({ reason: 'reassigned', reasons: ['reassigned'] });
    const lead = await reply(ticket.id, 'I will check.', { ifMatch: ticket.version, token: sup });
    expect(lead.status).toBe(412);
    expect(conflict(lead.body).details).toMatchObject({
      reason: 'reassigned',
      assigneeId: t.ids.a2,
    });
    // Without If-Match the rule of the endpoint applies: not your ticket.
    expect((await reply(ticket.id, 'I will check.')).status).toBe(403);
  });

  it('refuses with 412 closed, and answers 409 with reason closed without If-Match', async () => {
    const ticket = await myTicket('closed');
    expect(
      (await call(t.url, 'POST', `/api/v1/tickets/${ticket.id}/close`, { token: a1 })).status,
    ).toBe(200);
    const conditional = await reply(ticket.id, 'Thanks!', { ifMatch: ticket.version });
    expect(conditional.status).toBe(412);
    expect(conflict(conditional.body).details.reason).toBe('closed');
    const plain = await reply(ticket.id, 'Thanks!');
    expect(plain.status).toBe(409);
    expect(conflict(plain.body)).toMatchObject({ code: 'conflict', details: { reason: 'closed' } });
  });

  it('answers cursor_too_old (close 4410) for a cursor past the log or below the horizon', async () => {
    const probe = new StreamClient(t.url, { token: a1 });
    const last = await probe.ready();
    probe.close();

    const future = new StreamClient(t.url, { token: a1, after: last + 1_000 });
    expect(await future.closed).toBe(4410);
    expect(future.frames).toContainEqual(
      expect.objectContaining({ kind: 'error', code: 'cursor_too_old' }),
    );

    const fine = new StreamClient(t.url, { token: a1, after: last });
    expect(await fine.ready()).toBe(last);
    fine.close();

    await raiseHorizon(t.hub.ctx.db.query, last);
    const old = new StreamClient(t.url, { token: a1, after: last - 1 });
    expect(await old.closed).toBe(4410);
    const atHorizon = new StreamClient(t.url, { token: a1, after: last });
    expect(await atHorizon.ready()).toBe(last);
    atHorizon.close();
  });
});
