import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type TicketDetail, type TicketSummary } from '../../shared/domain/index.js';
import { CallHistoryRepository } from './call-history.js';
import { DirectoryRepository } from './directory.js';
import { migrate } from './migrations/index.js';
import { SearchRepository } from './search.js';
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
 * truth; this database may be deleted at any time and is rebuilt from the hub. The softphone's
 * call history (per agent and hub) is also kept here; nothing refetches it, so a rebuilt cache
 * starts it empty. Drafts and the outbox belong to the desktop and live in their own database
 * file (src/main/outbox).
 */
export class Cache {
  readonly tickets: TicketsRepository;
  readonly messages: MessagesRepository;
  readonly customers: CustomersRepository;
  readonly work: WorkRepository;
  readonly meta: MetaRepository;
  readonly directory: DirectoryRepository;
  readonly search: SearchRepository;
  readonly callHistory: CallHistoryRepository;
  /** Where a corrupt cache was moved at this start (null = the cache opened fine). */
  rebuiltFrom: string | null = null;

  constructor(readonly db: Database.Database) {
    this.directory = new DirectoryRepository(db);
    this.search = new SearchRepository(db);
    this.tickets = new TicketsRepository(db);
    this.messages = new MessagesRepository(db);
    this.customers = new CustomersRepository(db);
    this.work = new WorkRepository(db);
    this.meta = new MetaRepository(db);
    this.callHistory = new CallHistoryRepository(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Stores a full ticket as fetched from the hub; its message list replaces the cached one. */
  storeDetail(detail: TicketDetail, at = new Date().toISOString()): void {
    this.transaction(() => {
      this.customers.upsert(detail.customer, at);
      this.tickets.upsert(detail.ticket);
      // Unchanged messages are left as they are (and so is their search index entry).
      this.messages.deleteForTicketExcept(
        detail.ticket.id,
        detail.messages.map((m) => m.id),
      );
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

  /**
   * Forgets every agent-specific row (another agent signs in on this machine). Meta is kept, and
   * so is the call history: its rows are scoped to hub and agent and read only for their owner.
   */
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

/** The cache file failed its integrity check. */
export class CacheCorruptError extends Error {
  constructor(detail: string) {
    super(`the cache failed its integrity check: ${detail}`);
    this.name = 'CacheCorruptError';
  }
}

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB']);

function isCorruption(error: unknown): boolean {
  if (error instanceof CacheCorruptError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code);
}

function openFile(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // A cache can be rebuilt from the hub, so NORMAL is enough; drafts and the outbox live in
    // their own file with FULL (src/main/outbox/user-data.ts).
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // quick_check: the integrity check without the (slow) index-content comparison.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new CacheCorruptError(String(check));
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Reads what is worth keeping (who was signed in where) from a damaged cache, if it can. */
function salvageMeta(file: string): { key: string; value: string }[] {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare<[], { key: string; value: string }>(
          "SELECT key, value FROM meta WHERE key IN ('session', 'lastHubUrl')",
        )
        .all();
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** Renames the cache and its WAL/SHM files aside (a stale WAL must never meet a new file). */
function moveAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const aside = file.replace(/\.sqlite$/, `.corrupt-${stamp}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

/**
 * Opens (creating if needed) and migrates `<dataDir>/cache.sqlite`, or an in-memory cache. A cache
 * that fails to open as a database or fails its integrity check is moved aside and a new one is
 * created (the session info is salvaged when readable); `rebuiltFrom` tells the services to
 * resynchronise the working set from the hub. Drafts and the outbox are in another file.
 */
export function openCache(dataDir: string | ':memory:'): Cache {
  if (dataDir === ':memory:') return new Cache(openFile(':memory:'));
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, CACHE_FILE);
  try {
    return new Cache(openFile(file));
  } catch (error) {
    if (!isCorruption(error)) throw error;
  }
  const kept = salvageMeta(file);
  const aside = moveAside(file);
  const cache = new Cache(openFile(file));
  for (const { key, value } of kept) {
    try {
      cache.meta.set(key, JSON.parse(value));
    } catch {
      // unreadable: the agent signs in again
    }
  }
  cache.rebuiltFrom = aside;
  return cache;
}
