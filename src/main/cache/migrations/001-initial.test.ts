import { describe, expect, it } from 'vitest';
import { schemaVersion } from './index.js';
import { dbAtVersion, ids, insertV1Ticket, tableNames } from './test-helpers.js';

describe('cache migration 1 (initial)', () => {
  it('creates the meta, customers, tickets and messages tables at version 1', () => {
    const db = dbAtVersion(1);
    expect(schemaVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual(['customers', 'messages', 'meta', 'tickets']);
  });

  it('rejects impossible values and deletes messages with their ticket', () => {
    const db = dbAtVersion(1);
    insertV1Ticket(db, ids.ticket1, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-01T10:00:00.000Z',
      number: 1,
    });
    expect(() =>
      insertV1Ticket(db, ids.ticket2, {
        assignee: null,
        status: 'pending' as 'open',
        updatedAt: '2026-01-01T10:00:00.000Z',
        number: 2,
      }),
    ).toThrow(/CHECK/);
    const insertMessage = db.prepare(
      `INSERT INTO messages (id, ticket_id, direction, text, created_at) VALUES (?, ?, ?, 'hi', '2026-01-01T10:00:00.000Z')`,
    );
    expect(() => insertMessage.run(ids.message1, ids.ticket3, 'in')).toThrow(/FOREIGN KEY/);
    expect(() => insertMessage.run(ids.message1, ids.ticket1, 'sideways')).toThrow(/CHECK/);
    insertMessage.run(ids.message1, ids.ticket1, 'in');
    db.prepare('DELETE FROM tickets WHERE id = ?').run(ids.ticket1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
  });
});
