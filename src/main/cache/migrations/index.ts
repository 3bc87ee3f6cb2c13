import type Database from 'better-sqlite3';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-work-items.js';
import { migration003 } from './003-directory.js';
import { migration004 } from './004-search.js';
import { migration005 } from './005-call-history.js';
import { type Migration } from './types.js';

export { type Migration } from './types.js';

/** Every schema version in order. Add a file per version; never edit a shipped one. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
];

export const LATEST_VERSION = migrations.at(-1)?.version ?? 0;

export class CacheFromFutureError extends Error {
  constructor(readonly found: number) {
    super(`the cache has schema version ${found}, newer than this app (${LATEST_VERSION})`);
    this.name = 'CacheFromFutureError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: latest). All pending versions run in one transaction,
 * so a crash mid-way leaves the previous version intact. `user_version` records the version.
 */
export function migrate(
  db: Database.Database,
  target: number = LATEST_VERSION,
  list: readonly Migration[] = migrations,
): { from: number; to: number } {
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const from = schemaVersion(db);
  if (from > (list.at(-1)?.version ?? 0)) throw new CacheFromFutureError(from);
  const pending = list.filter((m) => m.version > from && m.version <= target);
  if (pending.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
  return { from, to: pending.at(-1)?.version ?? from };
}
