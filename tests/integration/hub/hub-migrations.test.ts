import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/hub/auth/password.js';
import { migrate, schemaVersion } from '../../../src/hub/db/migrate.js';
import { migrations } from '../../../src/hub/db/migrations/index.js';
import { openPglite } from '../../../src/hub/db/pglite.js';
import { startHub } from '../../../src/hub/server.js';
import { call, TEST_SCRYPT_COST } from './harness.js';

const LATEST = Math.max(...migrations.map((m) => m.version));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('hub migrations', () => {
  it('bring an empty database to the latest version, once', async () => {
    const db = await openPglite(undefined);
    try {
      expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
      expect(await schemaVersion(db)).toBe(LATEST);
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining([
          'agents',
          'tickets',
          'messages',
          'tasks',
          'events',
          'idempotency_keys',
        ]),
      );
      // The event log is append-only.
      await db.query(`insert into events (type) values ('agent.login')`);
      await expect(db.query(`update events set type = 'agent.logout'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(db.query('delete from events')).rejects.toThrow(/append-only/);
      // Read only by id (stream, replay, feed): no other index to keep up on every append.
      const indexes = await db.query<{ indexname: string }>(
        `select indexname from pg_indexes where tablename = 'events'`,
      );
      expect(indexes.map((i) => i.indexname)).toEqual(['events_pkey']);
    } finally {
      await db.close();
    }
  });

  it('upgrade a version-1 database with data: data kept, new features work on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concierge-mig-'));
    dirs.push(dir);
    const old = await openPglite(dir);
    let ticketId: string;
    try {
      expect(await migrate(old, { targetVersion: 1 })).toEqual([1]);
      const hash = await hashPassword('old-secret', TEST_SCRYPT_COST);
      const [agent] = await old.query<{ id: string }>(
        `insert into agents (login, name, password_hash, roles) values ('veteran', 'Vera Veteran', $1, '{agent}')
         returning id`,
        [hash],
      );
      const [queue] = await old.query<{ id: string }>(
        `insert into queues (name, channels, priority) values ('legacy', '{email}', 1) returning id`,
      );
      await old.query('insert into agent_queues (agent_id, queue_id) values ($1, $2)', [
        agent!.id,
        queue!.id,
      ]);
      const [customer] = await old.query<{ id: string }>(
        `insert into customers (name) values ('Old Customer') returning id`,
      );
      await old.query(
        `insert into customer_identities (customer_id, kind, value) values ($1, 'email', 'old@example.com')`,
        [customer!.id],
      );
      const [ticket] = await old.query<{ id: string }>(
        `insert into tickets (subject, channel, queue_id, customer_id) values ('Old question', 'email', $1, $2) returning id`,
        [queue!.id, customer!.id],
      );
      ticketId = ticket!.id;
      await old.query(
        `insert into messages (ticket_id, channel, direction, text) values ($1, 'email', 'in', 'Hello from v1')`,
        [ticketId],
      );
      await old.query(`insert into events (type, ticket_id) values ('ticket.created', $1)`, [
        ticketId,
      ]);
    } finally {
      await old.close();
    }

    const hub = await startHub({ dataDir: dir, scryptCost: TEST_SCRYPT_COST });
    try {
      const db = hub.ctx.db;
      expect(await schemaVersion(db)).toBe(LATEST);
      const capacity = await db.query<{ channel: string; capacity: number }>(
        `select c.channel, c.capacity from agent_capacity c join agents a on a.id = c.agent_id
         where a.login = 'veteran' order by c.channel`,
      );
      expect(Object.fromEntries(capacity.map((c) => [c.channel, c.capacity]))).toEqual({
        api: 5,
        callback: 1,
        chat: 3,
        email: 5,
        messenger: 3,
        voice: 1,
      });

      // The old password still works; the old open ticket gets a task and reaches the agent.
      const loginRes = await call<{ token: string }>(hub.url, 'POST', '/api/v1/auth/login', {
        body: { login: 'veteran', password: 'old-secret' },
      });
      expect(loginRes.status).toBe(200);
      const token = loginRes.body.token;
      await call(hub.url, 'PUT', '/api/v1/me/state', { token, body: { state: 'available' } });
      const { createIntegrationToken } = await import('../../../src/hub/auth/sessions.js');
      const integration = await hub.ctx.tx((q) => createIntegrationToken(q, 'test'));
      const res = await call<{ ticketId: string; ticketCreated: boolean; taskId: string }>(
        hub.url,
        'POST',
        '/api/v1/inbound/messages',
        {
          token: integration.token,
          body: { channel: 'email', from: { email: 'old@example.com' }, text: 'Any news?' },
        },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ ticketId, ticketCreated: false });
      const detail = await call<{
        ticket: { number: number; assigneeId: string };
        messages: { text: string }[];
      }>(hub.url, 'GET', `/api/v1/tickets/${ticketId}`, { token });
      expect(detail.status).toBe(200);
      expect(detail.body.messages.map((m) => m.text)).toEqual(['Hello from v1', 'Any news?']);
      expect(detail.body.ticket.number).toBe(1);

      // Ticket numbers continue from the old sequence.
      const fresh = await call<{ ticketId: string }>(hub.url, 'POST', '/api/v1/inbound/messages', {
        token: integration.token,
        body: { channel: 'email', from: { email: 'new@example.com' }, text: 'New here' },
      });
      const [row] = await db.query<{ number: number }>('select number from tickets where id = $1', [
        fresh.body.ticketId,
      ]);
      expect(Number(row!.number)).toBe(2);
      const events = await db.query<{ type: string }>(
        'select type from events order by id limit 1',
      );
      expect(events[0]!.type).toBe('ticket.created');
    } finally {
      await hub.close();
    }
  });
});
