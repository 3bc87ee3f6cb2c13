import type Database from 'better-sqlite3';
import {
  SearchHit,
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type SearchHit as SearchHitT,
} from '../../shared/bridge/contract.js';

/**
 * The words of a query as an FTS5 expression: every word must match. The last word (the one being
 * typed) and short words match as prefixes ("zamów" finds "zamówienie"); earlier long words match
 * whole — a prefix longer than the prefix index (4) makes FTS5 merge every matching posting list,
 * which for a common word in 100,000 messages is the slow path. Quotes, operators and column
 * filters typed by the agent are treated as plain text, so no input is a syntax error.
 */
export function ftsQuery(input: string): string | null {
  const words = (input.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
  if (words.length === 0) return null;
  return words
    .map((w, i) => (i === words.length - 1 || w.length <= 4 ? `"${w}"*` : `"${w}"`))
    .join(' ');
}

interface HitRow {
  ticket_id: string;
  number: number;
  subject: string;
  customer_name: string | null;
  status: string;
  message_id: string | null;
  snippet: string;
  at: string;
}

const S = `'${SNIPPET_MARK_START}', '${SNIPPET_MARK_END}'`;

/** Full-text search over the cached tickets: subject and customer first, then message text. */
export class SearchRepository {
  private readonly ticketsStmt;
  private readonly customersStmt;
  private readonly messagesStmt;

  constructor(db: Database.Database) {
    this.ticketsStmt = db.prepare<[string, number], HitRow>(`
      SELECT t.id AS ticket_id, t.number, t.subject, t.customer_name, t.status,
             NULL AS message_id, t.updated_at AS at,
             highlight(tickets_fts, 0, ${S}) || ' — ' ||
               coalesce(highlight(tickets_fts, 1, ${S}), '') AS snippet
        FROM tickets_fts JOIN tickets t ON t.rowid = tickets_fts.rowid
       WHERE tickets_fts MATCH ? ORDER BY t.updated_at DESC LIMIT ?`);
    this.customersStmt = db.prepare<[string, number], HitRow>(`
      SELECT t.id AS ticket_id, t.number, t.subject, t.customer_name, t.status,
             NULL AS message_id, t.updated_at AS at,
             t.subject || ' — ' || highlight(customers_fts, 0, ${S}) || ' ' ||
               coalesce(highlight(customers_fts, 1, ${S}), '') AS snippet
        FROM customers_fts JOIN customers c ON c.rowid = customers_fts.rowid
        JOIN tickets t ON t.customer_id = c.id
       WHERE customers_fts MATCH ? ORDER BY t.updated_at DESC LIMIT ?`);
    // Newest cached first, by rowid: FTS5 walks the index backwards and stops at the limit, so
    // a word found in half of 100,000 messages costs no more than a rare one (ranking every
    // match by relevance would read them all).
    this.messagesStmt = db.prepare<[string, number], HitRow>(`
      SELECT t.id AS ticket_id, t.number, t.subject, t.customer_name, t.status,
             m.id AS message_id, m.created_at AS at, f.snippet
        FROM (SELECT rowid, snippet(messages_fts, 0, ${S}, '…', 12) AS snippet
                FROM messages_fts WHERE messages_fts MATCH ?
               ORDER BY rowid DESC LIMIT ?) f
        JOIN messages m ON m.rowid = f.rowid
        JOIN tickets t ON t.id = m.ticket_id`);
  }

  search(input: string, limit = 30): SearchHitT[] {
    const query = ftsQuery(input);
    if (!query) return [];
    const hits: SearchHitT[] = [];
    const seen = new Set<string>();
    const add = (rows: HitRow[]) => {
      for (const r of rows) {
        const key = r.message_id ?? `ticket:${r.ticket_id}`;
        if (seen.has(key) || hits.length >= limit) continue;
        if (r.message_id === null && seen.has(`ticket:${r.ticket_id}`)) continue;
        seen.add(key);
        const parsed = SearchHit.safeParse({
          ticketId: r.ticket_id,
          ticketNumber: r.number,
          subject: r.subject,
          customerName: r.customer_name,
          status: r.status,
          messageId: r.message_id,
          snippet: r.snippet,
          at: r.at,
        });
        if (parsed.success) hits.push(parsed.data);
      }
    };
    add(this.ticketsStmt.all(query, limit));
    add(this.customersStmt.all(query, limit));
    add(this.messagesStmt.all(query, limit));
    return hits;
  }
}
