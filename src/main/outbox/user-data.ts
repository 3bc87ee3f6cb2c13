import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../cache/migrations/index.js';
import { userDataMigrations } from './migrations/index.js';
import { DraftsRepository } from './drafts.js';
import { OutboxRepository } from './outbox-repository.js';

export const USER_DATA_FILE = 'outbox.sqlite';

/**
 * What the agent wrote and the hub has not acknowledged yet: drafts and the outbox. Its own
 * database file, separate from the cache, so a corrupt cache can be thrown away without touching
 * a word of it. Every write is durable when it returns (WAL + synchronous=FULL).
 */
export class UserData {
  readonly drafts: DraftsRepository;
  readonly outbox: OutboxRepository;

  constructor(readonly db: Database.Database) {
    this.drafts = new DraftsRepository(db);
    this.outbox = new OutboxRepository(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openUserData(dataDir: string | ':memory:'): UserData {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, USER_DATA_FILE);
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // The agent's words: a committed draft or Send survives power loss, not just a crash.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    migrate(db, userDataMigrations.at(-1)?.version ?? 0, userDataMigrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return new UserData(db);
}
