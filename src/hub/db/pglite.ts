import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { type Db, type Query, type Row, withPipeline } from './db.js';
import { PgliteStatements } from './pglite-statements.js';

/** PGlite's transaction lock (what its own `query` takes outside a transaction). */
interface TransactionLock {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Embedded PostgreSQL (WASM) in a data directory: the zero-install default. PGlite has one
 * connection, so its transactions are serialised; row locks and advisory locks still behave as in
 * PostgreSQL, which keeps the SQL identical.
 * @param dataDir directory for the database files; undefined = in memory (tests).
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const statements = new PgliteStatements(pg);
  const lock = pg as unknown as TransactionLock;

  // Outside a transaction a statement waits for any open one, as PGlite's own `query` does.
  const query: Query = async <T extends Row = Row>(
    sql: string,
    params: readonly unknown[] = [],
  ) => {
    const rows = await lock._runExclusiveTransaction(() => statements.run(sql, params));
    await pg.syncToFs();
    return rows as T[];
  };

  return {
    kind: 'pglite',
    query,
    async transaction(fn, opts) {
      let ended = false;
      let final: { rows: Row[]; committed: (rows: Row[]) => void } | undefined;
      const result = await pg.transaction(async (tx) => {
        // Held-back writes (`writeLater`) run in order before the next statement; in process
        // there is no round trip to save, only the same order and failure semantics to keep.
        const deferred: { sql: string; params: readonly unknown[] }[] = [];
        const flush = async () => {
          for (const d of deferred.splice(0)) await statements.run(d.sql, d.params);
        };
        const run = async <T extends Row = Row>(sql: string, params: readonly unknown[] = []) => {
          if (ended) throw new Error('statement after the end of its transaction');
          await flush();
          return (await statements.run(sql, params)) as T[];
        };
        const q: Query = withPipeline(run, {
          defer(sql, params) {
            if (ended) throw new Error('statement after the end of its transaction');
            deferred.push({ sql, params });
          },
          async readMany(list) {
            const out: Row[][] = [];
            for (const s of list) out.push(await run(s.text, s.values));
            return out;
          },
        });
        try {
          const r = await fn(q, async (script) => {
            await flush();
            await tx.exec(script);
            statements.reset();
          });
          const last = opts?.final?.();
          if (last) final = { rows: await q(last.text, last.values), committed: last.committed };
          await flush();
          return r;
        } finally {
          ended = true;
        }
      });
      final?.committed(final.rows);
      const then = opts?.thenRead?.();
      if (then) then.read(await query(then.text, then.values).catch(() => undefined));
      return result;
    },
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
