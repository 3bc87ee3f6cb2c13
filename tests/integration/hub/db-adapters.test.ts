import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, pgErrorCode, PG_UNIQUE_VIOLATION, withRetry } from '../../../src/hub/db/db.js';
import { openPglite } from '../../../src/hub/db/pglite.js';
import { openPostgres } from '../../../src/hub/db/postgres.js';
import { appendEvents, eventTransaction } from '../../../src/hub/events/append.js';
import { migrate } from '../../../src/hub/db/migrate.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';

/**
 * The storage adapters' transaction framing (BEGIN with the first statement, COMMIT with the
 * final one on PostgreSQL; prepared statements in one WASM call on PGlite): whatever the framing,
 * a transaction commits everything or nothing, and rows and errors look as PostgreSQL gives them.
 */
const pgAvailable = requirePostgres('storage adapters on PostgreSQL');
let server: TestPostgres | undefined;

beforeAll(async () => {
  if (pgAvailable) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const adapters: [string, () => Promise<Db>, boolean][] = [
  ['PGlite', () => openPglite(undefined), true],
  ['PostgreSQL', async () => openPostgres(await server!.createDatabase()), pgAvailable],
];

describe.each(adapters)('%s adapter', (_name, open, available) => {
  let db: Db;
  beforeAll(async () => {
    if (!available) return;
    db = await open();
    await migrate(db);
    await db.query(`create table t (id int primary key, v text, at timestamptz, j jsonb,
      a uuid[], n int)`);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(!available)('rows keep their types; repeated statements give the same', async () => {
    const at = new Date('2026-11-22T10:00:00.123Z');
    const id = '0190b0a4-0000-7000-8000-000000000001';
    await db.query('insert into t (id, v, at, j, a, n) values ($1, $2, $3, $4, $5, $6)', [
      1,
      'zażółć',
      at,
      JSON.stringify({ k: [1, 'x'] }),
      [id],
      null,
    ]);
    for (let i = 0; i < 3; i++) {
      const rows = await db.query('select * from t where id = $1', [1]);
      expect(rows).toEqual([{ id: 1, v: 'zażółć', at, j: { k: [1, 'x'] }, a: [id], n: null }]);
    }
  });

  it.skipIf(!available)('a failing last statement commits nothing of the transaction', async () => {
    await db.query('insert into t (id, v) values (2, $1)', ['before']);
    // Warm the statements so BEGIN rides along with the first one on PostgreSQL.
    for (let i = 0; i < 2; i++) {
      const err = await db
        .transaction(async (q) => {
          await q('update t set v = $1 where id = $2', ['changed', 2]);
          await q('insert into t (id, v) values ($1, $2)', [2, 'duplicate']);
        })
        .catch((e: unknown) => e);
      expect(pgErrorCode(err)).toBe(PG_UNIQUE_VIOLATION);
    }
    expect(await db.query('select v from t where id = 2')).toEqual([{ v: 'before' }]);
  });

  it.skipIf(!available)(
    'events ride on the final statement: committed with the transaction, or not at all',
    async () => {
      const before = await db.query<{ n: number }>('select count(*)::int as n from events');
      const { result, appended } = await eventTransaction(db, async (q) => {
        await q('insert into t (id, v) values ($1, $2)', [3, 'with events']);
        await appendEvents(q, [{ type: 'agent.login', data: { n: 1 } }]);
        // Statements after the append still run before it.
        await q('update t set v = $1 where id = $2', ['with events, later', 3]);
        await appendEvents(q, [{ type: 'agent.logout', data: { n: 2 } }]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(appended.map((e) => [e.type, e.data])).toEqual([
        ['agent.login', { n: 1 }],
        ['agent.logout', { n: 2 }],
      ]);
      expect(appended[1]!.id).toBe(appended[0]!.id + 1);
      const stored = await db.query<{ type: string }>(
        'select type from events where id > $1 order by id',
        [appended[0]!.id - 1],
      );
      expect(stored.map((r) => r.type)).toEqual(['agent.login', 'agent.logout']);
      expect(await db.query('select v from t where id = 3')).toEqual([{ v: 'with events, later' }]);

      // A throw after appending: neither the row nor the events are committed.
      const err = await eventTransaction(db, async (q) => {
        await q('insert into t (id, v) values ($1, $2)', [4, 'rolled back']);
        await appendEvents(q, [{ type: 'agent.login', data: {} }]);
        throw new Error('changed my mind');
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('changed my mind');
      expect(await db.query('select * from t where id = 4')).toEqual([]);
      const after = await db.query<{ n: number }>('select count(*)::int as n from events');
      expect(after[0]!.n).toBe(before[0]!.n + 2);
    },
  );

  it.skipIf(!available)('a statement from a transaction that has ended is refused', async () => {
    let leaked: ((sql: string) => Promise<unknown>) | undefined;
    await db.transaction(async (q) => {
      await q('select 1');
      leaked = (sql) => q(sql);
    });
    await expect(leaked!('select 1')).rejects.toThrow(/end of its transaction/);
  });

  // A hub that keeps running while another migrates: on PostgreSQL the prepared `select *` of
  // the old shape fails once per connection ("cached plan must not change result type"); the
  // statement is renamed and run again, inside a transaction through withRetry.
  it.skipIf(!available)(
    'a script (DDL) in a transaction: later statements see the new columns',
    async () => {
      expect(Object.keys((await db.query('select * from t where id = 1'))[0]!)).not.toContain('w');
      await db.transaction((q) => q('select * from t where id = $1', [1]));
      await db.transaction(async (_q, exec) => {
        await exec('alter table t add column w text default $$new$$');
      });
      const [row] = await db.query('select * from t where id = 1');
      expect(row).toMatchObject({ id: 1, w: 'new' });
      const inTx = await withRetry(() =>
        db.transaction((q) => q('select * from t where id = $1', [1])),
      );
      expect(inTx[0]).toMatchObject({ id: 1, w: 'new' });
    },
  );
});
