import Database from 'better-sqlite3';
import { migrate } from './index.js';

/** A fresh in-memory database brought to `version`, for migration tests. */
export function dbAtVersion(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, version);
  return db;
}

export const tableNames = (db: Database.Database): string[] =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

export const columnNames = (db: Database.Database, table: string): string[] =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

export const ids = {
  agentA: '11111111-1111-4111-8111-111111111111',
  agentB: '22222222-2222-4222-8222-222222222222',
  customer: '33333333-3333-4333-8333-333333333333',
  ticket1: 'aaaaaaaa-0000-4000-8000-000000000001',
  ticket2: 'aaaaaaaa-0000-4000-8000-000000000002',
  ticket3: 'aaaaaaaa-0000-4000-8000-000000000003',
  message1: 'bbbbbbbb-0000-4000-8000-000000000001',
};

/** Inserts a v1-shaped ticket row. */
export function insertV1Ticket(
  db: Database.Database,
  id: string,
  fields: { assignee: string | null; status: 'open' | 'closed'; updatedAt: string; number: number },
) {
  db.prepare(
    `INSERT INTO tickets (id, number, subject, status, channel, queue_id, customer_id, customer_name,
       assignee_id, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'email', NULL, ?, 'Ewa', ?, 1, '2026-01-01T10:00:00.000Z', ?)`,
  ).run(
    id,
    fields.number,
    `Subject ${fields.number}`,
    fields.status,
    ids.customer,
    fields.assignee,
    fields.updatedAt,
  );
}
