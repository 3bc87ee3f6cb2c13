import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Db,
  pgErrorCode,
  PG_UNIQUE_VIOLATION,
  readTogether,
  type Row,
  withRetry,
  writeLater,
} from '../../../src/hub/db/db.js';
import { openPglite } from '../../../src/hub/db/pglite.js';
import { openDb } from '../../../src/hub/db/open.js';
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

  it.skipIf(!available)(
    'held-back writes run in order before the next statement, and commit with the transaction',
    async () => {
      await db.query('insert into t (id, v, n) values (10, $1, 0)', ['start']);
      // Several rounds: the first prepares the statements on the connection, later ones pipeline.
      for (let round = 1; round <= 3; round++) {
        const seen = await db.transaction(async (q) => {
          await writeLater(q, 'update t set n = n + 1 where id = $1', [10]);
          await writeLater(q, 'update t set v = $2 where id = $1', [10, `round ${round}`]);
          await writeLater(q, 'update t set n = n * 10 where id = $1', [10]);
          // A read sees the held-back writes, applied in the order they were asked for.
          return q<{ v: string; n: number }>('select v, n from t where id = $1', [10]);
        });
        expect(seen).toEqual([{ v: `round ${round}`, n: round === 1 ? 10 : expect.any(Number) }]);
      }
      expect(await db.query('select n from t where id = 10')).toEqual([{ n: 1110 }]);

      // Held back until the end: committed with it (no final statement, and with events).
      await db.transaction(async (q) => {
        await writeLater(q, 'update t set v = $2 where id = $1', [10, 'at the end']);
      });
      expect(await db.query('select v from t where id = 10')).toEqual([{ v: 'at the end' }]);
      const { appended } = await eventTransaction(db, async (q) => {
        await writeLater(q, 'update t set v = $2 where id = $1', [10, 'with an event']);
        await appendEvents(q, [{ type: 'agent.login', data: {} }]);
      });
      expect(appended).toHaveLength(1);
      expect(await db.query('select v from t where id = 10')).toEqual([{ v: 'with an event' }]);
      // Outside a transaction it runs at once.
      await writeLater(db.query, 'update t set v = $2 where id = $1', [10, 'at once']);
      expect(await db.query('select v from t where id = 10')).toEqual([{ v: 'at once' }]);
    },
  );

  it.skipIf(!available)(
    'a failing held-back write fails the transaction: nothing of it is committed',
    async () => {
      await db.query('insert into t (id, v) values (20, $1), (21, $1)', ['kept']);
      for (let round = 0; round < 3; round++) {
        // Failing at the next statement, at the final statement with events, and at COMMIT.
        const err = await eventTransaction(db, async (q) => {
          await writeLater(q, 'update t set v = $2 where id = $1', [20, 'lost']);
          await writeLater(q, 'update t set id = $2 where id = $1', [21, 20]);
          if (round === 0) await q('select 1');
          if (round === 1) await appendEvents(q, [{ type: 'agent.login', data: {} }]);
        }).catch((e: unknown) => e);
        expect(pgErrorCode(err)).toBe(PG_UNIQUE_VIOLATION);
        expect(await db.query('select id, v from t where id in (20, 21) order by id')).toEqual([
          { id: 20, v: 'kept' },
          { id: 21, v: 'kept' },
        ]);
      }
      // The connection is fine afterwards.
      const rows = await db.transaction(async (q) => {
        await writeLater(q, 'update t set v = $2 where id = $1', [20, 'fine']);
        return q('select v from t where id = $1', [20]);
      });
      expect(rows).toEqual([{ v: 'fine' }]);
    },
  );

  it.skipIf(!available)(
    'reads sent together: each gets its own rows, after the held-back writes, in one round trip',
    async () => {
      await db.query('insert into t (id, v, n) values (30, $1, 1), (31, $1, 2)', ['r']);
      const sent = countQueries();
      try {
        for (let round = 0; round < 3; round++) {
          sent.n = 0;
          const [a, b, c] = await db.transaction(async (q) => {
            await q('select 1');
            await writeLater(q, 'update t set n = n + 10 where id = $1', [30]);
            return readTogether(q, [
              { text: 'select id, n from t where id = $1 for update', values: [30] },
              {
                text: 'select id, v, n from t where id = any($1::int[]) order by id',
                values: [[30, 31]],
              },
              { text: 'select count(*)::int as k from t where id = $1', values: [-1] },
            ]);
          });
          expect(a).toEqual([{ id: 30, n: 11 + round * 10 }]);
          expect(b).toEqual([
            { id: 30, v: 'r', n: 11 + round * 10 },
            { id: 31, v: 'r', n: 2 },
          ]);
          expect(c).toEqual([{ k: 0 }]);
          // PostgreSQL, once the statements are prepared on the connection: `select 1` with BEGIN,
          // the three reads (behind the held-back write), a COMMIT.
          if (db.kind === 'postgres' && round > 0) expect(sent.n).toBe(3);
        }
      } finally {
        sent.restore();
      }
      // A failing read fails the call and the transaction; the connection is fine afterwards.
      for (let round = 0; round < 2; round++) {
        const err = await db
          .transaction(async (q) => {
            await writeLater(q, 'update t set v = $2 where id = $1', [31, 'lost']);
            await readTogether(q, [
              { text: 'select n from t where id = $1', values: [31] },
              { text: 'select 1 / n as x from t where id = $1', values: [99] },
              { text: 'select 1 / (n - n) as x from t where id = $1', values: [31] },
            ]);
          })
          .catch((e: unknown) => e);
        expect(String(err)).toMatch(/division by zero/);
      }
      expect(await db.query('select v from t where id = 31')).toEqual([{ v: 'r' }]);
      expect(
        await db.transaction((q) =>
          readTogether(q, [
            { text: 'select n from t where id = $1', values: [31] },
            { text: 'select v from t where id = $1', values: [31] },
          ]),
        ),
      ).toEqual([[{ n: 2 }], [{ v: 'r' }]]);
    },
  );

  it.skipIf(!available)(
    'a read after the commit sees the transaction; a failed transaction reads nothing',
    async () => {
      await db.query('insert into t (id, v) values (40, $1)', ['start']);
      for (let round = 0; round < 3; round++) {
        let read: Row[] | undefined = [{ never: true }];
        const { appended } = await eventTransaction(
          db,
          async (q) => {
            await q('select v from t where id = $1 for update', [40]);
            await writeLater(q, 'update t set v = $2 where id = $1', [40, `v${round}`]);
            if (round !== 1) await appendEvents(q, [{ type: 'agent.login', data: { round } }]);
            return round;
          },
          {
            thenRead: (r) => ({
              text: 'select v, $2::int as r from t where id = $1',
              values: [40, r],
            }),
          },
        ).then((x) => {
          read = x.read;
          return x;
        });
        expect(read).toEqual([{ v: `v${round}`, r: round }]);
        expect(appended.map((e) => e.data)).toEqual(round === 1 ? [] : [{ round }]);
      }
      // Nothing to read when the caller says so, or when the transaction fails.
      const none = await eventTransaction(db, async () => 1, { thenRead: () => undefined });
      expect(none.read).toBeUndefined();
      // A failing transaction: the error, not a read (the pipeline stops before it).
      const err = await eventTransaction(
        db,
        async (q) => {
          await writeLater(q, 'insert into t (id, v) values ($1, $2)', [40, 'duplicate']);
          await appendEvents(q, [{ type: 'agent.login', data: {} }]);
        },
        { thenRead: () => ({ text: 'select v from t where id = $1', values: [40] }) },
      ).catch((e: unknown) => e);
      expect(pgErrorCode(err)).toBe(PG_UNIQUE_VIOLATION);
      expect(await db.query('select v from t where id = 40')).toEqual([{ v: 'v2' }]);
    },
  );

  it.skipIf(!available)(
    'a read that fails after the commit: the transaction and its events stand, the read is undefined',
    async () => {
      await db.query('insert into t (id, v, n) values (50, $1, 0)', ['x']);
      for (let round = 0; round < 3; round++) {
        const r = await eventTransaction(
          db,
          async (q) => {
            await writeLater(q, 'update t set v = $2 where id = $1', [50, `after${round}`]);
            await appendEvents(q, [{ type: 'agent.login', data: { round } }]);
          },
          { thenRead: () => ({ text: 'select 1 / n as x from t where id = $1', values: [50] }) },
        );
        expect(r.read).toBeUndefined();
        expect(r.appended.map((e) => e.data)).toEqual([{ round }]);
        expect(await db.query('select v from t where id = 50')).toEqual([{ v: `after${round}` }]);
      }
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

/** Counts node-postgres `query` calls (one per round trip of the adapter). */
function countQueries(): { n: number; restore(): void } {
  const original = pg.Client.prototype.query;
  const counter = {
    n: 0,
    restore: () => {
      pg.Client.prototype.query = original;
    },
  };
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    counter.n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return counter;
}

describe.skipIf(!pgAvailable)('PostgreSQL pool size', () => {
  it('a hub opens at most the configured connections; more statements wait their turn', async () => {
    const db = await openDb({ databaseUrl: await server!.createDatabase(), poolSize: 2 });
    try {
      const rows = await Promise.all(
        Array.from({ length: 6 }, () =>
          db.query<{ pid: number }>('select pg_backend_pid() as pid, pg_sleep(0.05)'),
        ),
      );
      expect(rows).toHaveLength(6);
      expect(new Set(rows.map((r) => r[0]!.pid)).size).toBe(2);
    } finally {
      await db.close();
    }
    await expect(openPostgres(await server!.createDatabase(), { max: 1 })).rejects.toThrow(
      'pool size must be an integer of at least 2, got 1',
    );
  });
});
