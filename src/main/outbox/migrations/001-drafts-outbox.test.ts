import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../cache/migrations/index.js';
import { columnNames, tableNames } from '../../cache/migrations/test-helpers.js';
import { userDataMigrations } from './index.js';

describe('user-data migration 1 (drafts and outbox)', () => {
  it('creates drafts and an outbox whose states are checked', () => {
    const db = new Database(':memory:');
    expect(migrate(db, 1, userDataMigrations)).toEqual({ from: 0, to: 1 });
    expect(schemaVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual(['drafts', 'outbox', 'sqlite_sequence']);
    expect(columnNames(db, 'drafts')).toEqual(['agent_id', 'ticket_id', 'text', 'updated_at']);
    const insert = db.prepare(
      `INSERT INTO outbox (id, hub_url, agent_id, ticket_id, text, state, created_at, updated_at)
       VALUES (?, 'http://hub', 'a', 't', 'hi', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    );
    insert.run('k1', 'pending');
    expect(() => insert.run('k2', 'lost')).toThrow(/CHECK/);
    expect(() => insert.run('k1', 'pending')).toThrow(/UNIQUE/);
  });
});
