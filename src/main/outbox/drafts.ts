import type Database from 'better-sqlite3';
import { type Draft } from '../../shared/bridge/contract.js';

/** Drafts per agent and ticket, stored verbatim (whitespace included). */
export class DraftsRepository {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare<[string, string], { text: string; updated_at: string }>(
      'SELECT text, updated_at FROM drafts WHERE agent_id = ? AND ticket_id = ?',
    );
    this.upsertStmt = db.prepare(`
      INSERT INTO drafts (agent_id, ticket_id, text, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (agent_id, ticket_id) DO UPDATE SET text = excluded.text,
        updated_at = excluded.updated_at`);
    this.deleteStmt = db.prepare('DELETE FROM drafts WHERE agent_id = ? AND ticket_id = ?');
  }

  get(agentId: string, ticketId: string): Draft {
    const row = this.getStmt.get(agentId, ticketId);
    return { ticketId, text: row?.text ?? '', updatedAt: row?.updated_at ?? null };
  }

  /** '' deletes the draft. */
  save(agentId: string, ticketId: string, text: string, at = new Date().toISOString()): Draft {
    if (text === '') {
      this.deleteStmt.run(agentId, ticketId);
      return { ticketId, text, updatedAt: null };
    }
    this.upsertStmt.run(agentId, ticketId, text, at);
    return { ticketId, text, updatedAt: at };
  }
}
