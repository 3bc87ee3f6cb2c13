import { type Migration } from '../../cache/migrations/types.js';

/**
 * Version 1 of the user-data database: drafts and the outbox. These rows belong to the desktop
 * until the hub acknowledges them, so they live apart from the rebuildable cache.
 */
export const userData001: Migration = {
  version: 1,
  name: 'drafts-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE drafts (
        agent_id   TEXT NOT NULL,
        ticket_id  TEXT NOT NULL,
        text       TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, ticket_id)
      );

      CREATE TABLE outbox (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- send order
        id             TEXT NOT NULL UNIQUE,              -- Idempotency-Key
        hub_url        TEXT NOT NULL,
        agent_id       TEXT NOT NULL,
        ticket_id      TEXT NOT NULL,
        ticket_number  INTEGER,
        ticket_subject TEXT,
        text           TEXT NOT NULL,
        base_version   INTEGER,
        if_match       INTEGER NOT NULL DEFAULT 1 CHECK (if_match IN (0, 1)),
        sent_anyway    INTEGER NOT NULL DEFAULT 0 CHECK (sent_anyway IN (0, 1)),
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'sending', 'delivered', 'needs_review', 'failed')),
        attempts       INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error     TEXT,
        conflict       TEXT, -- JSON OutboxConflict
        message_id     TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        delivered_at   TEXT
      );
      CREATE INDEX outbox_ticket_idx ON outbox (agent_id, hub_url, ticket_id, seq);
      CREATE INDEX outbox_state_idx ON outbox (agent_id, hub_url, state, seq);
    `);
  },
};
