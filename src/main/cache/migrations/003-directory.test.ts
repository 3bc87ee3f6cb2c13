import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from './index.js';
import { columnNames, dbAtVersion, ids, insertV1Ticket } from './test-helpers.js';

describe('cache migration 3 (directory)', () => {
  it('adds queues, pause reasons and the agents directory', () => {
    const db = dbAtVersion(3);
    expect(schemaVersion(db)).toBe(3);
    expect(columnNames(db, 'queues')).toEqual(['id', 'name', 'data', 'position', 'updated_at']);
    expect(columnNames(db, 'pause_reasons')).toEqual([
      'code',
      'label',
      'system',
      'enabled',
      'position',
      'updated_at',
    ]);
    expect(columnNames(db, 'directory_agents')).toEqual(['id', 'name', 'login', 'updated_at']);
  });

  it('upgrades a version 2 cache keeping its tickets', () => {
    const db = dbAtVersion(2);
    insertV1Ticket(db, ids.ticket1, {
      assignee: ids.agentA,
      status: 'open',
      updatedAt: '2026-01-01T10:00:00.000Z',
      number: 1,
    });
    expect(migrate(db, 3)).toEqual({ from: 2, to: 3 });
    expect(db.prepare('SELECT id FROM tickets').all()).toEqual([{ id: ids.ticket1 }]);
  });
});
