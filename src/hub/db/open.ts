import { type Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface OpenDbOptions {
  /** PostgreSQL connection URL; when set, PGlite is not used. */
  databaseUrl?: string;
  /** PostgreSQL connections (default: DEFAULT_POOL_SIZE). */
  poolSize?: number;
  /** PGlite data directory; undefined together with no URL = in-memory PGlite. */
  dataDir?: string;
  onError?: (err: Error) => void;
}

/** Opens the configured storage and brings its schema to the latest migration. */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const db = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, {
        ...(opts.onError ? { onError: opts.onError } : {}),
        ...(opts.poolSize !== undefined ? { max: opts.poolSize } : {}),
      })
    : await openPglite(opts.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
