import type Database from 'better-sqlite3';
import { type z } from 'zod';
import { type Customer, type Message, type TicketSummary } from '../../shared/domain/index.js';
import {
  customerFromRow,
  messageFromRow,
  messageParams,
  ticketFromRow,
  ticketParams,
  type CustomerRow,
  type MessageRow,
  type TicketRow,
} from './rows.js';

export class TicketsRepository {
  private readonly upsertStmt;
  private readonly getStmt;
  private readonly markDetailStmt;
  private readonly deleteStmt;

  constructor(db: Database.Database) {
    // An older version never overwrites a newer one: events and REST answers can cross.
    this.upsertStmt = db.prepare(`
      INSERT INTO tickets (id, number, subject, status, channel, queue_id, customer_id,
                           customer_name, assignee_id, version, created_at, updated_at)
      VALUES (@id, @number, @subject, @status, @channel, @queue_id, @customer_id,
              @customer_name, @assignee_id, @version, @created_at, @updated_at)
      ON CONFLICT (id) DO UPDATE SET
        number = excluded.number, subject = excluded.subject, status = excluded.status,
        channel = excluded.channel, queue_id = excluded.queue_id,
        customer_id = excluded.customer_id, customer_name = excluded.customer_name,
        assignee_id = excluded.assignee_id, version = excluded.version,
        created_at = excluded.created_at, updated_at = excluded.updated_at
      WHERE excluded.version >= tickets.version`);
    this.getStmt = db.prepare<[string], TicketRow>('SELECT * FROM tickets WHERE id = ?');
    this.markDetailStmt = db.prepare('UPDATE tickets SET detail_fetched_at = ? WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM tickets WHERE id = ?');
  }

  upsert(ticket: TicketSummary): void {
    this.upsertStmt.run(ticketParams(ticket));
  }

  get(id: string): TicketSummary | null {
    const row = this.getStmt.get(id);
    return row ? ticketFromRow(row) : null;
  }

  hasDetail(id: string): boolean {
    return (this.getStmt.get(id)?.detail_fetched_at ?? null) !== null;
  }

  markDetailFetched(id: string, at: string): void {
    this.markDetailStmt.run(at, id);
  }

  delete(id: string): void {
    this.deleteStmt.run(id);
  }
}

export class MessagesRepository {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly deleteForTicketStmt;
  private readonly deleteOthersStmt;

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare(`
      INSERT INTO messages (id, ticket_id, direction, author_name, author_agent_id, text, created_at)
      VALUES (@id, @ticket_id, @direction, @author_name, @author_agent_id, @text, @created_at)
      ON CONFLICT (id) DO UPDATE SET text = excluded.text, author_name = excluded.author_name
      WHERE messages.text IS NOT excluded.text OR messages.author_name IS NOT excluded.author_name`);
    this.listStmt = db.prepare<[string], MessageRow>(
      'SELECT * FROM messages WHERE ticket_id = ? ORDER BY created_at, id',
    );
    this.deleteForTicketStmt = db.prepare('DELETE FROM messages WHERE ticket_id = ?');
    this.deleteOthersStmt = db.prepare(
      'DELETE FROM messages WHERE ticket_id = ? AND id NOT IN (SELECT value FROM json_each(?))',
    );
  }

  upsert(message: Message): void {
    this.upsertStmt.run(messageParams(message));
  }

  listForTicket(ticketId: string): Message[] {
    return this.listStmt.all(ticketId).map(messageFromRow);
  }

  deleteForTicket(ticketId: string): void {
    this.deleteForTicketStmt.run(ticketId);
  }

  /** Deletes the ticket's cached messages that are not in `keep` (the hub no longer lists them). */
  deleteForTicketExcept(ticketId: string, keep: readonly string[]): void {
    this.deleteOthersStmt.run(ticketId, JSON.stringify(keep));
  }
}

export class CustomersRepository {
  private readonly upsertStmt;
  private readonly getStmt;

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare(`
      INSERT INTO customers (id, name, email, phone, updated_at)
      VALUES (@id, @name, @email, @phone, @updated_at)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
        phone = excluded.phone, updated_at = excluded.updated_at`);
    this.getStmt = db.prepare<[string], CustomerRow>(
      'SELECT id, name, email, phone FROM customers WHERE id = ?',
    );
  }

  upsert(customer: Customer, at: string): void {
    this.upsertStmt.run({ ...customer, updated_at: at });
  }

  get(id: string): Customer | null {
    const row = this.getStmt.get(id);
    return row ? customerFromRow(row) : null;
  }
}

/** The agent's work list in the hub's order. */
export class WorkRepository {
  private readonly listStmt;
  private readonly clearStmt;
  private readonly insertStmt;
  private readonly removeStmt;
  private readonly maxStmt;

  constructor(db: Database.Database) {
    this.listStmt = db.prepare<[string], TicketRow>(`
      SELECT tickets.* FROM work_items JOIN tickets ON tickets.id = work_items.ticket_id
       WHERE work_items.agent_id = ? ORDER BY work_items.position`);
    this.clearStmt = db.prepare('DELETE FROM work_items WHERE agent_id = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO work_items (agent_id, ticket_id, position) VALUES (?, ?, ?)
       ON CONFLICT (agent_id, ticket_id) DO NOTHING`,
    );
    this.removeStmt = db.prepare('DELETE FROM work_items WHERE agent_id = ? AND ticket_id = ?');
    this.maxStmt = db.prepare<[string], { max: number | null }>(
      'SELECT MAX(position) AS max FROM work_items WHERE agent_id = ?',
    );
  }

  list(agentId: string): TicketSummary[] {
    return this.listStmt.all(agentId).map(ticketFromRow);
  }

  /** Replaces the list; the tickets must already be stored. */
  replace(agentId: string, ticketIds: readonly string[]): void {
    this.clearStmt.run(agentId);
    ticketIds.forEach((id, position) => this.insertStmt.run(agentId, id, position));
  }

  /** Appends a ticket (a new assignment goes last, as the hub lists by assignment order). */
  add(agentId: string, ticketId: string): boolean {
    const next = (this.maxStmt.get(agentId)?.max ?? -1) + 1;
    return this.insertStmt.run(agentId, ticketId, next).changes > 0;
  }

  remove(agentId: string, ticketId: string): boolean {
    return this.removeStmt.run(agentId, ticketId).changes > 0;
  }
}

export class MetaRepository {
  private readonly getStmt;
  private readonly setStmt;
  private readonly deleteStmt;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.setStmt = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStmt = db.prepare('DELETE FROM meta WHERE key = ?');
  }

  /** A stored value that no longer matches its schema reads as absent rather than crashing. */
  get<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
    const row = this.getStmt.get(key);
    if (!row) return null;
    try {
      const parsed = schema.safeParse(JSON.parse(row.value));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  set(key: string, value: unknown): void {
    this.setStmt.run(key, JSON.stringify(value));
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }
}
