import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './index.js';
import { columnNames, dbAtVersion, ids, insertV1Ticket } from './test-helpers.js';

describe('cache migration 2 (work items)', () => {
  it('adds the work list table and the detail timestamp', () => {
    const db = dbAtVersion(2);
    expect(schemaVersion(db)).toBe(2);
    expect(columnNames(db, 'work_items')).toEqual(['agent_id', 'ticket_id', 'position']);
    expect(columnNames(db, 'tickets')).toContain('detail_fetched_at');
  });

  it('turns a version 1 cache into a work list, newest first, keeping every row', () => {
    const db = dbAtVersion(1);
    insertV1Ticket(db, ids.ticket1, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-01T10:00:00.000Z',
      number: 1,
    });
    insertV1Ticket(db, ids.ticket2, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-02T10:00:00.000Z',
      number: 2,
    });
    insertV1Ticket(db, ids.ticket3, {
      assignee: ids.agentA,
      status: 'closed',
      updatedAt: '2026-01-03T10:00:00.000Z',
      number: 3,
    });
    db.prepare(
      `INSERT INTO messages (id, ticket_id, direction, text, created_at)
       VALUES (?, ?, 'in', 'Where is my parcel?', '2026-01-01T10:00:00.000Z')`,
    ).run(ids.message1, ids.ticket1);

    expect(migrate(db, 2)).toEqual({ from: 1, to: 2 });

    const work = db
      .prepare('SELECT agent_id, ticket_id, position FROM work_items ORDER BY position')
      .all();
    // Closed tickets are history, not work; open ones keep the newest-first order v1 showed.
    expect(work).toEqual([
      { agent_id: ids.agentA, ticket_id: ids.ticket2, position: 0 },
      { agent_id: ids.agentA, ticket_id: ids.ticket1, position: 1 },
    ]);
    const fetched = db
      .prepare('SELECT id, detail_fetched_at FROM tickets ORDER BY number')
      .all() as { id: string; detail_fetched_at: string | null }[];
    expect(fetched.map((t) => t.detail_fetched_at !== null)).toEqual([true, false, false]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM tickets').get()).toEqual({ n: 3 });
    expect(db.prepare('SELECT text FROM messages').get()).toEqual({ text: 'Where is my parcel?' });
  });
});
