import { type Db } from './db.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

/** Any fixed number works; it only has to differ from the hub's other advisory locks. */
const MIGRATION_LOCK = 727_001;

export interface MigrateOptions {
  /** Stop at this version (tests build old databases with it). Default: latest. */
  targetVersion?: number;
  migrations?: readonly Migration[];
}

/**
 * Applies pending migrations in one transaction. The advisory lock makes hubs that start together
 * on one database wait for each other instead of applying the same migration twice.
 * @returns the versions applied now
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<number[]> {
  const list = opts.migrations ?? allMigrations;
  const target = opts.targetVersion ?? Math.max(0, ...list.map((m) => m.version));
  return db.transaction(async (q, exec) => {
    await q('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await q(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const rows = await q<{ version: number }>('select version from schema_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (m.version > target || done.has(m.version)) continue;
      await exec(m.sql);
      await q('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

export async function schemaVersion(db: Db): Promise<number> {
  const rows = await db.query<{ v: number | null }>(
    'select max(version) as v from schema_migrations',
  );
  return Number(rows[0]?.v ?? 0);
}
