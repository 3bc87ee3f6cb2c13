import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TicketSummary } from '../../../src/shared/domain/index.js';
import { ensureAgent } from '../../../src/hub/agents/create.js';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import { ticketSummary, TICKET_SELECT, type TicketRow } from '../../../src/hub/tickets/rows.js';
import { freeTcpPort } from '../../support/kamailio.js';
import { FakeEvapi, hubApi, TELEPHONY_KEY, waitFor } from '../../support/phone-lab.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';

const pgOk = requirePostgres('queue call entry (PostgreSQL)');

/**
 * A queue call entering the hub (evapi `enter`, Kamailio played by a fake): the hub makes the
 * customer, ticket, task and `calls` row in the transaction that routes the call, writing them
 * without reading them back — so what it announces (`ticket.created`) must be what it stored.
 */
const defineEntrySuite = (name: string, databaseUrl: () => Promise<string | undefined>) =>
  describe(`queue call entry (${name})`, () => {
    let hub: RunningHub;
    let fake: FakeEvapi;
    let agentId = '';
    let tindex = 0;

    const enter = (from: string, fromName?: string, queue = 'orders') => {
      tindex += 1;
      const callId = `call-${name}-${tindex}`;
      fake.send({
        event: 'enter',
        tindex,
        tlabel: tindex * 7,
        callid: callId,
        ftag: `tag-${tindex}`,
        queue,
        from,
        ...(fromName ? { fromName } : {}),
      });
      return { callId, tindex };
    };
    const callRow = async (callId: string) =>
      (
        await hub.ctx.db.query<{
          id: string;
          state: string;
          task_id: string | null;
          ticket_id: string | null;
          customer_id: string | null;
          from_number: string;
        }>('select * from calls where call_id = $1', [callId])
      )[0];
    const announced = async (ticketId: string) =>
      (
        await hub.ctx.db.query<{ data: { ticket: TicketSummary } }>(
          `select data from events where type = 'ticket.created' and ticket_id = $1`,
          [ticketId],
        )
      )[0]?.data.ticket;
    const stored = async (ticketId: string) =>
      ticketSummary(
        (await hub.ctx.db.query<TicketRow>(`${TICKET_SELECT} where t.id = $1`, [ticketId]))[0]!,
      );
    const offered = async (callId: string, tindex: number) => {
      await waitFor(
        () => fake.commandsFor(tindex).some((c) => c.action === 'route'),
        `${callId} rung`,
        10_000,
      );
      return (await callRow(callId))!;
    };
    const hangUp = async (callId: string) => {
      // The caller gives up while it rings: the offer is revoked and the agent free again.
      fake.send({ event: 'cancel', callid: callId });
      await waitFor(async () => (await callRow(callId))?.state === 'ended', `${callId} ended`);
    };

    beforeAll(async () => {
      fake = new FakeEvapi(await freeTcpPort(), 'kamailio-entry');
      await fake.listen();
      const url = await databaseUrl();
      hub = await startHub({
        ...(url ? { databaseUrl: url } : {}),
        scryptCost: 1024,
        routingSweepMs: 500,
        timerPollMs: 100,
        telephony: { key: TELEPHONY_KEY, evapi: { host: '127.0.0.1', port: fake.port } },
      });
      expect(await hub.calls!.waitConnected(10_000)).toBe(true);
      await hub.ctx.tx(async (q) => {
        await createQueue(q, { name: 'orders', channels: ['voice'], offerTimeouts: { voice: 30 } });
        await createQueue(q, { name: 'chat-only', channels: ['chat'] });
        agentId = (
          await ensureAgent(
            q,
            { login: 'ph1', name: 'Phone 1', password: 'pw', roles: ['agent'], queues: ['orders'] },
            1024,
          )
        ).id;
      });
      const { token } = await hubApi<{ token: string }>(hub.url, '/api/v1/auth/login', {
        method: 'POST',
        body: JSON.stringify({ login: 'ph1', password: 'pw' }),
      });
      await hubApi(hub.url, '/api/v1/me/sip', { token });
      await hubApi(hub.url, '/api/v1/me/state', {
        method: 'PUT',
        token,
        body: JSON.stringify({ state: 'available' }),
      });
    }, 90_000);

    afterAll(async () => {
      await hub?.close().catch(() => undefined);
      await fake?.down();
    });

    it('a new number: customer named after the caller, ticket announced as stored, call routed', async () => {
      const { callId, tindex } = enter('+48 600 700 801', 'Anna Nowak');
      const call = await offered(callId, tindex);
      expect(call).toMatchObject({ state: 'ringing', from_number: '+48 600 700 801' });
      const ticket = await stored(call.ticket_id!);
      expect(ticket).toMatchObject({
        subject: 'Call from +48 600 700 801',
        status: 'open',
        channel: 'voice',
        customerId: call.customer_id,
        customerName: 'Anna Nowak',
        assigneeId: null,
      });
      expect(await announced(call.ticket_id!)).toEqual(ticket);
      const task = (
        await hub.ctx.db.query<{ status: string; agent_id: string; ticket_id: string }>(
          'select status, agent_id, ticket_id from tasks where id = $1',
          [call.task_id],
        )
      )[0];
      expect(task).toEqual({ status: 'offered', agent_id: agentId, ticket_id: call.ticket_id });
      await hangUp(callId);
    });

    it('the same number again: the same customer, a new ticket with the next number', async () => {
      const first = enter('+48600700802', 'Jan Kowalski');
      const a = await offered(first.callId, first.tindex);
      await hangUp(first.callId);
      // Written as another format of the same number; the display name is not used again.
      const second = enter('+48 (600) 700-802', 'Someone Else');
      const b = await offered(second.callId, second.tindex);
      expect(b.customer_id).toBe(a.customer_id);
      expect(b.ticket_id).not.toBe(a.ticket_id);
      const [ta, tb] = [await stored(a.ticket_id!), await stored(b.ticket_id!)];
      expect(tb.number).toBeGreaterThan(ta.number);
      expect(tb.customerName).toBe('Jan Kowalski');
      expect(await announced(b.ticket_id!)).toEqual(tb);
      await hangUp(second.callId);
    });

    it('a queue without voice: refused with 404, nothing stored', async () => {
      const { callId, tindex } = enter('+48600700803', undefined, 'chat-only');
      await waitFor(
        () => fake.commandsFor(tindex).some((c) => c.action === 'reply'),
        'the refusal',
        10_000,
      );
      expect(fake.commandsFor(tindex).find((c) => c.action === 'reply')).toMatchObject({
        code: 404,
      });
      expect(await callRow(callId)).toBeUndefined();
      const customers = await hub.ctx.db.query(
        `select 1 from customer_identities where kind = 'phone' and value = '+48600700803'`,
      );
      expect(customers).toHaveLength(0);
    });
  });

defineEntrySuite('PGlite', async () => undefined);

describe.skipIf(!pgOk)('on PostgreSQL', () => {
  let postgres: TestPostgres | undefined;
  let url = '';
  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase('callentry');
  }, 60_000);
  afterAll(async () => {
    await postgres?.stop();
  });
  defineEntrySuite('PostgreSQL', async () => url);
});
