import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { type Db, type Query, type Row } from './db.js';

/**
 * Embedded PostgreSQL (WASM) in a data directory: the zero-install default. PGlite has one
 * connection, so its transactions are serialised; row locks and advisory locks still behave as in
 * PostgreSQL, which keeps the SQL identical.
 * @param dataDir directory for the database files; undefined = in memory (tests).
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);

  const run =
    (target: PGlite | Transaction): Query =>
    async <T extends Row = Row>(sql: string, params: readonly unknown[] = []) => {
      const res = await target.query<T>(sql, params as unknown[]);
      return res.rows;
    };

  return {
    kind: 'pglite',
    query: run(pg),
    transaction: (fn) =>
      pg.transaction((tx) =>
        fn(run(tx), async (script) => {
          await tx.exec(script);
        }),
      ),
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
