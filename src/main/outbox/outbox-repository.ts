import type Database from 'better-sqlite3';
import {
  OutboxConflict,
  OutboxRow,
  type OutboxState,
  type OutboxRow as OutboxRowT,
} from '../../shared/bridge/contract.js';

/** Whose outbox: rows are delivered only with the session of the agent and hub that wrote them. */
export interface OutboxScope {
  hubUrl: string;
  agentId: string;
}

export interface NewOutboxRow extends OutboxScope {
  id: string;
  ticketId: string;
  ticketNumber: number | null;
  ticketSubject: string | null;
  text: string;
  baseVersion: number | null;
}

interface Row {
  seq: number;
  id: string;
  hub_url: string;
  agent_id: string;
  ticket_id: string;
  ticket_number: number | null;
  ticket_subject: string | null;
  text: string;
  base_version: number | null;
  if_match: number;
  sent_anyway: number;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  conflict: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** A row as the delivery loop needs it. */
export interface DeliverableRow {
  id: string;
  ticketId: string;
  text: string;
  /** Sent as If-Match, unless the agent chose "send anyway". */
  ifMatchVersion: number | null;
  /** The agent already reviewed a refusal and chose to send anyway: a new refusal is final. */
  sentAnyway: boolean;
}

function parseConflict(json: string | null): OutboxRowT['conflict'] {
  if (!json) return null;
  try {
    const parsed = OutboxConflict.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const toRow = (r: Row): OutboxRowT =>
  OutboxRow.parse({
    id: r.id,
    ticketId: r.ticket_id,
    ticketNumber: r.ticket_number,
    ticketSubject: r.ticket_subject,
    text: r.text,
    baseVersion: r.base_version,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    conflict: parseConflict(r.conflict),
  });

/** Delivered rows stay visible in the outbox view this long. */
export const DELIVERED_VISIBLE_MS = 24 * 3600_000;

export class OutboxRepository {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(`
        INSERT INTO outbox (id, hub_url, agent_id, ticket_id, ticket_number, ticket_subject, text,
                            base_version, if_match, state, created_at, updated_at)
        VALUES (@id, @hubUrl, @agentId, @ticketId, @ticketNumber, @ticketSubject, @text,
                @baseVersion, @ifMatch, 'pending', @at, @at)`),
      get: db.prepare<[string], Row>('SELECT * FROM outbox WHERE id = ?'),
      list: db.prepare<[string, string, string], Row>(`
        SELECT * FROM outbox WHERE hub_url = ? AND agent_id = ?
           AND (state <> 'delivered' OR delivered_at >= ?)
         ORDER BY seq`),
      // The head of each ticket's queue, if it may be sent now: order per ticket is kept because
      // nothing later on a ticket goes while an earlier row is undelivered.
      next: db.prepare<[string, string, number], Row>(`
        SELECT o.* FROM outbox o
         WHERE o.hub_url = ? AND o.agent_id = ? AND o.state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM outbox p
                            WHERE p.hub_url = o.hub_url AND p.agent_id = o.agent_id
                              AND p.ticket_id = o.ticket_id AND p.seq < o.seq
                              AND p.state <> 'delivered')
         ORDER BY o.seq LIMIT ?`),
      sending: db.prepare(
        `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?
          WHERE id = ? AND state = 'pending'`,
      ),
      delivered: db.prepare(
        `UPDATE outbox SET state = 'delivered', message_id = ?, delivered_at = ?, updated_at = ?,
                last_error = NULL, next_attempt_at = NULL, conflict = NULL
          WHERE id = ? AND state IN ('sending', 'pending')`,
      ),
      retry: db.prepare(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?
          WHERE id = ? AND state = 'sending'`,
      ),
      review: db.prepare(
        `UPDATE outbox SET state = 'needs_review', conflict = ?, last_error = ?, updated_at = ?
          WHERE id = ? AND state = 'sending'`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ?
          WHERE id = ? AND state = 'sending'`,
      ),
      resetSending: db.prepare(
        `UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'sending'`,
      ),
      anyway: db.prepare(
        `UPDATE outbox SET state = 'pending', if_match = 0, sent_anyway = 1, conflict = NULL,
                last_error = NULL,
                next_attempt_at = NULL, updated_at = ?
          WHERE id = ? AND state IN ('needs_review', 'failed')`,
      ),
      delete: db.prepare(
        `DELETE FROM outbox WHERE id = ? AND state IN ('pending', 'needs_review', 'failed')`,
      ),
      undelivered: db.prepare<[string, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM outbox WHERE hub_url = ? AND agent_id = ? AND state <> 'delivered'`,
      ),
      prune: db.prepare(`DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?`),
    };
  }

  insert(row: NewOutboxRow, at = new Date().toISOString()): OutboxRowT {
    this.s.insert.run({ ...row, ifMatch: row.baseVersion === null ? 0 : 1, at });
    return this.get(row.id)!;
  }

  get(id: string): OutboxRowT | null {
    const row = this.s.get.get(id);
    return row ? toRow(row) : null;
  }

  /** Undelivered rows and those delivered in the last day, oldest first. */
  list(scope: OutboxScope, now = Date.now()): OutboxRowT[] {
    const since = new Date(now - DELIVERED_VISIBLE_MS).toISOString();
    return this.s.list.all(scope.hubUrl, scope.agentId, since).map(toRow);
  }

  /** Up to `limit` rows that may be sent now, at most one per ticket, oldest first. */
  nextDeliverable(scope: OutboxScope, limit: number): DeliverableRow[] {
    return this.s.next.all(scope.hubUrl, scope.agentId, limit).map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      text: r.text,
      ifMatchVersion: r.if_match === 1 ? r.base_version : null,
      sentAnyway: r.sent_anyway === 1,
    }));
  }

  /** Records the attempt before the request leaves; false if the row is no longer pending. */
  markSending(id: string, at = new Date().toISOString()): boolean {
    return this.s.sending.run(at, id).changes > 0;
  }

  markDelivered(id: string, messageId: string, at = new Date().toISOString()): boolean {
    return this.s.delivered.run(messageId, at, at, id).changes > 0;
  }

  retryLater(id: string, nextAttemptAt: string, error: string, at = new Date().toISOString()) {
    this.s.retry.run(nextAttemptAt, error, at, id);
  }

  markNeedsReview(
    id: string,
    conflict: OutboxRowT['conflict'],
    error: string,
    at = new Date().toISOString(),
  ) {
    this.s.review.run(JSON.stringify(conflict), error, at, id);
  }

  markFailed(id: string, error: string, at = new Date().toISOString()) {
    this.s.failed.run(error, at, id);
  }

  /** At start: a request that was on its way when the app died is sent again (same key). */
  resetSending(at = new Date().toISOString()): number {
    return this.s.resetSending.run(at).changes;
  }

  /** The agent chose "send anyway": same key, no If-Match. */
  sendAnyway(id: string, at = new Date().toISOString()): boolean {
    return this.s.anyway.run(at, id).changes > 0;
  }

  /** Only rows that are not on their way and not delivered can be removed. */
  delete(id: string): boolean {
    return this.s.delete.run(id).changes > 0;
  }

  undeliveredCount(scope: OutboxScope): number {
    return this.s.undelivered.get(scope.hubUrl, scope.agentId)?.n ?? 0;
  }

  pruneDelivered(now = Date.now()): number {
    return this.s.prune.run(new Date(now - DELIVERED_VISIBLE_MS).toISOString()).changes;
  }
}
