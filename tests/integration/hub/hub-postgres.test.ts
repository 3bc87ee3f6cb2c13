import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../src/hub/db/postgres.js';
import { migrate, schemaVersion } from '../../../src/hub/db/migrate.js';
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
      expect(applied.flat().sort()).toEqual([1, 2]);
      expect(await schemaVersion(dbs[0]!)).toBe(2);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
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
