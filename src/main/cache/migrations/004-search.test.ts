import { describe, expect, it } from 'vitest';
import { migrate } from './index.js';
import { dbAtVersion, ids, insertV1Ticket } from './test-helpers.js';

const match = (db: ReturnType<typeof dbAtVersion>, table: string, query: string) =>
  (
    db.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).all(query) as {
      rowid: number;
    }[]
  ).length;

describe('cache migration 4 (search)', () => {
  it('indexes what a version 3 cache already holds, and keeps the index in step', () => {
    const db = dbAtVersion(3);
    insertV1Ticket(db, ids.ticket1, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-01T10:00:00.000Z',
      number: 1,
    });
    db.prepare(
      `INSERT INTO messages (id, ticket_id, direction, text, created_at)
       VALUES (?, ?, 'in', 'Gdzie jest moje zamówienie?', '2026-01-01T10:00:00.000Z')`,
    ).run(ids.message1, ids.ticket1);
    expect(migrate(db, 4)).toEqual({ from: 3, to: 4 });

    // Existing rows are indexed; diacritics fold ("zamowienie" finds "zamówienie").
    expect(match(db, 'messages_fts', '"zamowienie"')).toBe(1);
    expect(match(db, 'tickets_fts', 'subject:"Subject"')).toBe(1);

    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('Paczka dotarła', ids.message1);
    expect(match(db, 'messages_fts', '"zamowienie"')).toBe(0);
    expect(match(db, 'messages_fts', '"paczka"')).toBe(1);

    // Deleting the ticket cascades to its messages and their index entries.
    db.prepare('DELETE FROM tickets WHERE id = ?').run(ids.ticket1);
    expect(match(db, 'messages_fts', '"paczka"')).toBe(0);
    expect(match(db, 'tickets_fts', '"Subject"')).toBe(0);
  });
});
