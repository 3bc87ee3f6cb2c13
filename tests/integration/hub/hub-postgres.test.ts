import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src/hub/db/postgres.js';
import { migrate, schemaVersion } from '../../../src/hub/db/migrate.js';
import { migrations } from '../../../src/hub/db/migrations/index.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { defineCoreSuite } from './core-suite.js';
import { startTestHub } from './harness.js';

const available = requirePostgres('hub on PostgreSQL');
let server: TestPostgres | undefined;
let starting: Promise<TestPostgres> | undefined;
const postgres = (): Promise<TestPostgres> =>
  (starting ??= startPostgres().then((s) => (server = s)));

afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!available)('PostgreSQL', () => {
  defineCoreSuite('PostgreSQL', async () => {
    const url = await (await postgres()).createDatabase();
    return startTestHub({ databaseUrl: url });
  });

  it('hubs starting together on one database apply each migration once', async () => {
    const url = await (await postgres()).createDatabase();
    const dbs = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    try {
      const applied = await Promise.all(dbs.map((db) => migrate(db)));
      const all = migrations.map((m) => m.version);
      expect(applied.flat().sort((x, y) => x - y)).toEqual(all);
      expect(await schemaVersion(dbs[0]!)).toBe(Math.max(...all));
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('two hubs routing concurrently never exceed an agent capacity or assign a task twice', async () => {
    const url = await (await postgres()).createDatabase();
    const a = await startTestHub({ databaseUrl: url });
    const b = await startTestHub({ databaseUrl: url });
    try {
      const { login, inbound, setState, uniqueEmail } = await import('./harness.js');
      await a.hub.ctx.db.query(
        `update agent_capacity set capacity = 2 where channel = 'chat' and agent_id = any($1::uuid[])`,
        [[a.ids.a1, a.ids.a2]],
      );
      await setState(a.url, await login(a.url, 'a1'), 'available');
      await setState(b.url, await login(b.url, 'a2'), 'available');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          inbound(i % 2 ? a.url : b.url, {
            channel: 'chat',
            from: { email: uniqueEmail(`burst${i}`) },
            text: `burst ${i}`,
          }),
        ),
      );
      await Promise.all([a.hub.ctx.router.run(), b.hub.ctx.router.run()]);
      const rows = await a.hub.ctx.db.query<{ agent_id: string | null; status: string; n: number }>(
        `select agent_id, status, count(*)::int as n from tasks where id = any($1::uuid[])
         group by agent_id, status order by agent_id`,
        [results.map((r) => r.taskId)],
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { agent_id: a.ids.a1, status: 'assigned', n: 2 },
          { agent_id: a.ids.a2, status: 'assigned', n: 2 },
          { agent_id: null, status: 'queued', n: 8 },
        ]),
      );
      const assignedEvents = await a.hub.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from events where type = 'task.assigned' and task_id = any($1::uuid[])`,
        [results.map((r) => r.taskId)],
      );
      expect(assignedEvents[0]!.n).toBe(4);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a burst of messages from one customer makes one new ticket with one task', async () => {
    const url = await (await postgres()).createDatabase();
    const a = await startTestHub({ databaseUrl: url });
    const b = await startTestHub({ databaseUrl: url });
    try {
      const { inbound, uniqueEmail } = await import('./harness.js');
      const email = uniqueEmail('burst');
      // A known customer whose last ticket is long closed: every message of the burst looks for
      // an open ticket at the same moment.
      const earlier = await inbound(a.url, {
        channel: 'email',
        from: { email },
        text: 'last year',
      });
      await a.hub.ctx.db.query(
        `update tickets set status = 'closed', closed_at = now() - interval '60 days' where id = $1`,
        [earlier.ticketId],
      );
      await a.hub.ctx.db.query(`update tasks set status = 'completed' where ticket_id = $1`, [
        earlier.ticketId,
      ]);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          inbound(i % 2 ? a.url : b.url, { channel: 'email', from: { email }, text: `part ${i}` }),
        ),
      );
      expect(new Set(results.map((r) => r.customerId))).toEqual(new Set([earlier.customerId]));
      expect(new Set(results.map((r) => r.ticketId)).size).toBe(1);
      expect(results.filter((r) => r.ticketCreated)).toHaveLength(1);
      expect(results.filter((r) => r.taskId !== null)).toHaveLength(1);
      const [row] = await a.hub.ctx.db.query<{ n: number }>(
        'select count(*)::int as n from messages where ticket_id = $1',
        [results[0]!.ticketId],
      );
      expect(row!.n).toBe(8);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('two hubs on one database: an event written through one reaches streams on the other', async () => {
    const url = await (await postgres()).createDatabase();
    const a = await startTestHub({ databaseUrl: url });
    const b = await startTestHub({ databaseUrl: url });
    try {
      const { login, inbound, StreamClient, uniqueEmail } = await import('./harness.js');
      const token = await login(b.url, 'sup');
      const stream = new StreamClient(b.url, { token });
      await stream.ready();
      const r = await inbound(a.url, {
        channel: 'email',
        from: { email: uniqueEmail('multi') },
        text: 'via A',
      });
      const seen = await stream.waitFor((c) =>
        c.events.find((e) => e.type === 'ticket.created' && e.ticketId === r.ticketId),
      );
      expect(seen.ticketId).toBe(r.ticketId);
      stream.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
