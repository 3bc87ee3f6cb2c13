import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './index.js';
import { columnNames, dbAtVersion, ids, insertV1Ticket } from './test-helpers.js';

describe('cache migration 5 (call history)', () => {
  it('adds the call history table, keyed per hub and agent', () => {
    const db = dbAtVersion(5);
    expect(schemaVersion(db)).toBe(5);
    expect(columnNames(db, 'call_history')).toEqual([
      'seq',
      'hub_url',
      'agent_id',
      'call_id',
      'started_at',
      'ended_at',
      'data',
    ]);
    const insert = db.prepare(
      `INSERT INTO call_history (hub_url, agent_id, call_id, started_at, ended_at, data)
       VALUES (?, ?, ?, '2026-01-01T10:00:00.000Z', NULL, '{}')`,
    );
    insert.run('http://hub.test', ids.agentA, 'call-1');
    // The same call id for another agent is another row; for the same agent it is refused.
    insert.run('http://hub.test', ids.agentB, 'call-1');
    expect(() => insert.run('http://hub.test', ids.agentA, 'call-1')).toThrow(/UNIQUE/);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT data FROM call_history
          WHERE hub_url = ? AND agent_id = ? ORDER BY seq DESC`,
      )
      .all('http://hub.test', ids.agentA) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/call_history_owner/);
  });

  it('upgrades a version 4 cache keeping its tickets and search index', () => {
    const db = dbAtVersion(4);
    insertV1Ticket(db, ids.ticket1, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-01T10:00:00.000Z',
      number: 1,
    });
    expect(migrate(db, 5)).toEqual({ from: 4, to: 5 });
    expect(db.prepare('SELECT id FROM tickets').all()).toEqual([{ id: ids.ticket1 }]);
    expect(
      db.prepare('SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH \'"Subject"\'').all(),
    ).toHaveLength(1);
    expect(db.prepare('SELECT COUNT(*) AS n FROM call_history').get()).toEqual({ n: 0 });
  });
});
