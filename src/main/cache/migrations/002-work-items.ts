import { type Migration } from './types.js';

/**
 * Version 2: the work list as the hub last sent it (order kept), and when a ticket's full detail
 * was fetched, so a summary-only ticket is not mistaken for one with an empty conversation.
 * Existing open assigned tickets become the work list, newest first, as version 1 showed them.
 */
export const migration002: Migration = {
  version: 2,
  name: 'work-items',
  up(db) {
    db.exec(`
      CREATE TABLE work_items (
        agent_id  TEXT NOT NULL,
        ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        PRIMARY KEY (agent_id, ticket_id)
      );
      CREATE INDEX work_items_by_position ON work_items (agent_id, position);

      ALTER TABLE tickets ADD COLUMN detail_fetched_at TEXT;
      CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, updated_at);

      INSERT INTO work_items (agent_id, ticket_id, position)
        SELECT assignee_id, id,
               ROW_NUMBER() OVER (PARTITION BY assignee_id ORDER BY updated_at DESC, id) - 1
          FROM tickets
         WHERE status = 'open' AND assignee_id IS NOT NULL;

      UPDATE tickets SET detail_fetched_at = updated_at
       WHERE EXISTS (SELECT 1 FROM messages WHERE messages.ticket_id = tickets.id);
    `);
  },
};
