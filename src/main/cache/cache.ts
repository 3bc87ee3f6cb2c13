import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type TicketDetail, type TicketSummary } from '../../shared/domain/index.js';
import { migrate } from './migrations/index.js';
import {
  CustomersRepository,
  MessagesRepository,
  MetaRepository,
  TicketsRepository,
  WorkRepository,
} from './repositories.js';

export const CACHE_FILE = 'cache.sqlite';

/**
 * The desktop's local copy of what the hub said: the agent's work list, tickets, messages and
 * customers, plus meta (session info without the token, the stream cursor). The hub stays the
 * truth; this database may be deleted at any time and is rebuilt from the hub. Drafts and the
 * outbox (issue 4) belong to the desktop and will live in their own database file.
 */
export class Cache {
  readonly tickets: TicketsRepository;
  readonly messages: MessagesRepository;
  readonly customers: CustomersRepository;
  readonly work: WorkRepository;
  readonly meta: MetaRepository;

  constructor(readonly db: Database.Database) {
    this.tickets = new TicketsRepository(db);
    this.messages = new MessagesRepository(db);
    this.customers = new CustomersRepository(db);
    this.work = new WorkRepository(db);
    this.meta = new MetaRepository(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Stores a full ticket as fetched from the hub; its message list replaces the cached one. */
  storeDetail(detail: TicketDetail, at = new Date().toISOString()): void {
    this.transaction(() => {
      this.customers.upsert(detail.customer, at);
      this.tickets.upsert(detail.ticket);
      this.messages.deleteForTicket(detail.ticket.id);
      for (const m of detail.messages) this.messages.upsert(m);
      this.tickets.markDetailFetched(detail.ticket.id, at);
    });
  }

  /** The cached detail, or null when the conversation was never fetched. */
  getDetail(ticketId: string): TicketDetail | null {
    return this.transaction(() => {
      const ticket = this.tickets.get(ticketId);
      if (!ticket || !this.tickets.hasDetail(ticketId)) return null;
      const customer = this.customers.get(ticket.customerId);
      if (!customer) return null;
      return { ticket, customer, messages: this.messages.listForTicket(ticketId) };
    });
  }

  /** Stores the work list exactly as the hub sent it. */
  replaceWork(agentId: string, tickets: readonly TicketSummary[]): void {
    this.transaction(() => {
      for (const t of tickets) this.tickets.upsert(t);
      this.work.replace(
        agentId,
        tickets.map((t) => t.id),
      );
    });
  }

  /** Forgets every agent-specific row (another agent signs in on this machine). Meta is kept. */
  clearAgentData(): void {
    this.db.exec(
      'DELETE FROM work_items; DELETE FROM messages; DELETE FROM tickets; DELETE FROM customers;',
    );
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }
}

/** Opens (creating if needed) and migrates `<dataDir>/cache.sqlite`, or an in-memory cache. */
export function openCache(dataDir: string | ':memory:'): Cache {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, CACHE_FILE);
  }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // A cache can be rebuilt from the hub, so NORMAL is enough; user data (drafts) will use FULL.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return new Cache(db);
}
