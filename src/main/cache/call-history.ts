import type Database from 'better-sqlite3';
import { CallHistoryEntry } from '../../shared/bridge/phone.js';

/** How many finished calls are kept per agent and hub (older ones are pruned on insert). */
export const CALL_HISTORY_KEEP = 500;

/** Whose history: one agent on one hub (like the stream cursor and the outbox). */
export interface CallHistoryScope {
  hubUrl: string;
  agentId: string;
}

/** A stored row that could not be read back (bad JSON or no longer a valid entry). */
export interface SkippedCallHistoryRow {
  seq: number;
  callId: string;
  reason: string;
}

/**
 * The softphone's finished calls, newest first. An entry is validated before it is stored and
 * again when it is read: a row that fails is skipped (and reported), never thrown.
 */
export class CallHistoryRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly keep: number = CALL_HISTORY_KEEP,
  ) {}

  /** Stores a finished call and prunes the agent's history to the newest `keep` calls. */
  add(scope: CallHistoryScope, entry: CallHistoryEntry): void {
    const valid = CallHistoryEntry.parse(entry);
    this.db.transaction(() => {
      // A call stored twice (the same session id) keeps one row, moved to the top.
      this.db
        .prepare(
          `INSERT OR REPLACE INTO call_history
             (hub_url, agent_id, call_id, started_at, ended_at, data)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          scope.hubUrl,
          scope.agentId,
          valid.id,
          valid.startedAt,
          valid.endedAt,
          JSON.stringify(valid),
        );
      this.db
        .prepare(
          `DELETE FROM call_history
            WHERE hub_url = ? AND agent_id = ? AND seq NOT IN (
              SELECT seq FROM call_history WHERE hub_url = ? AND agent_id = ?
               ORDER BY seq DESC LIMIT ?)`,
        )
        .run(scope.hubUrl, scope.agentId, scope.hubUrl, scope.agentId, this.keep);
    })();
  }

  /** The agent's calls, newest first; unreadable rows are skipped and passed to `onSkipped`. */
  list(
    scope: CallHistoryScope,
    onSkipped?: (row: SkippedCallHistoryRow) => void,
  ): CallHistoryEntry[] {
    const rows = this.db
      .prepare<[string, string, number], { seq: number; call_id: string; data: string }>(
        `SELECT seq, call_id, data FROM call_history WHERE hub_url = ? AND agent_id = ?
          ORDER BY seq DESC LIMIT ?`,
      )
      .all(scope.hubUrl, scope.agentId, this.keep);
    return rows.flatMap((row) => {
      let json: unknown;
      try {
        json = JSON.parse(row.data);
      } catch (error) {
        onSkipped?.({ seq: row.seq, callId: row.call_id, reason: `bad JSON: ${String(error)}` });
        return [];
      }
      const parsed = CallHistoryEntry.safeParse(json);
      if (!parsed.success) {
        onSkipped?.({ seq: row.seq, callId: row.call_id, reason: parsed.error.message });
        return [];
      }
      return [parsed.data];
    });
  }
}
