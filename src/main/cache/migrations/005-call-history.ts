import { type Migration } from './types.js';

/**
 * Version 5: the softphone's call history, so it outlives a restart of the console. Rows belong to
 * one agent on one hub (`hub_url`, `agent_id`, like the stream cursor and the outbox); `seq` is the
 * order in which the calls ended on this machine (newest = highest). `data` is the
 * `CallHistoryEntry` as JSON, validated again when read. The newest 500 per agent are kept.
 */
export const migration005: Migration = {
  version: 5,
  name: 'call-history',
  up(db) {
    db.exec(`
      CREATE TABLE call_history (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        hub_url    TEXT NOT NULL,
        agent_id   TEXT NOT NULL,
        call_id    TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at   TEXT,
        data       TEXT NOT NULL, -- CallHistoryEntry as JSON
        UNIQUE (hub_url, agent_id, call_id)
      );
      CREATE INDEX call_history_owner ON call_history (hub_url, agent_id, seq);
    `);
  },
};
