import { type Migration } from './types.js';

/**
 * Version 3: reference data the console needs offline: queues (names for tickets), pause reasons
 * (the pause menu) and the agents directory (names of colleagues, e.g. who a ticket went to).
 */
export const migration003: Migration = {
  version: 3,
  name: 'directory',
  up(db) {
    db.exec(`
      CREATE TABLE queues (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        data       TEXT NOT NULL, -- JSON as the hub sent it
        position   INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE pause_reasons (
        code       TEXT PRIMARY KEY,
        label      TEXT NOT NULL,
        system     INTEGER NOT NULL DEFAULT 0,
        enabled    INTEGER NOT NULL DEFAULT 1,
        position   INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE directory_agents (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        login      TEXT,
        updated_at TEXT NOT NULL
      );
    `);
  },
};
