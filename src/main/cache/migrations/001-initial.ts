import { type Migration } from './types.js';

/** Version 1: the agent's tickets with their messages and customers, plus a key-value meta table. */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL -- JSON
      );

      CREATE TABLE customers (
        id         TEXT PRIMARY KEY,
        name       TEXT,
        email      TEXT,
        phone      TEXT,
        updated_at TEXT NOT NULL
      );

      -- customer_id has no foreign key: a ticket summary arrives before its customer's detail.
      CREATE TABLE tickets (
        id            TEXT PRIMARY KEY,
        number        INTEGER NOT NULL,
        subject       TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        channel       TEXT NOT NULL,
        queue_id      TEXT,
        customer_id   TEXT NOT NULL,
        customer_name TEXT,
        assignee_id   TEXT,
        version       INTEGER NOT NULL,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );

      CREATE TABLE messages (
        id              TEXT PRIMARY KEY,
        ticket_id       TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        author_name     TEXT,
        author_agent_id TEXT,
        text            TEXT NOT NULL,
        created_at      TEXT NOT NULL
      );
      CREATE INDEX messages_by_ticket ON messages (ticket_id, created_at, id);
    `);
  },
};
