import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type TicketDetail, type TicketSummary } from '../../shared/domain/index.js';
import { CACHE_FILE, openCache, type Cache } from './cache.js';

const agent = '11111111-1111-4111-8111-111111111111';
const customer = {
  id: '33333333-3333-4333-8333-333333333333',
  name: 'Ewa Testowa',
  email: 'ewa@example.com',
  phone: null,
};
const ticket = (n: number, patch: Partial<TicketSummary> = {}): TicketSummary => ({
  id: `aaaaaaaa-0000-4000-8000-00000000000${n}`,
  number: n,
  subject: `Subject ${n}`,
  status: 'open',
  channel: 'email',
  queueId: null,
  customerId: customer.id,
  customerName: customer.name,
  assigneeId: agent,
  version: 1,
  createdAt: '2026-01-01T10:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  ...patch,
});
const detail = (t: TicketSummary, texts: string[]): TicketDetail => ({
  ticket: t,
  customer,
  messages: texts.map((text, i) => ({
    id: `bbbbbbbb-0000-4000-8000-00000000000${i}`,
    ticketId: t.id,
    direction: i % 2 ? 'out' : 'in',
    authorName: null,
    authorAgentId: null,
    text,
    createdAt: `2026-01-01T10:0${i}:00.000Z`,
  })),
});

let cache: Cache | null = null;
let dir: string | null = null;
afterEach(() => {
  cache?.close();
  cache = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('desktop cache', () => {
  it('creates <dataDir>/cache.sqlite in WAL mode with foreign keys on', () => {
    dir = mkdtempSync(join(tmpdir(), 'concierge-cache-'));
    cache = openCache(dir);
    expect(existsSync(join(dir, CACHE_FILE))).toBe(true);
    expect(cache.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(cache.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('returns a stored conversation, and none for a ticket known only by its summary', () => {
    cache = openCache(':memory:');
    const t1 = ticket(1);
    cache.storeDetail(detail(t1, ['Where is my parcel?', 'It ships today.']));
    cache.tickets.upsert(ticket(2));
    expect(cache.getDetail(t1.id)?.messages.map((m) => m.text)).toEqual([
      'Where is my parcel?',
      'It ships today.',
    ]);
    expect(cache.getDetail(ticket(2).id)).toBeNull();
  });

  it('never lets an older ticket version overwrite a newer one (events and answers cross)', () => {
    cache = openCache(':memory:');
    cache.tickets.upsert(ticket(1, { version: 5, subject: 'new' }));
    cache.tickets.upsert(ticket(1, { version: 4, subject: 'old' }));
    expect(cache.tickets.get(ticket(1).id)?.subject).toBe('new');
  });

  it('keeps the work list in the hub order and appends new assignments last', () => {
    cache = openCache(':memory:');
    cache.replaceWork(agent, [ticket(3), ticket(1)]);
    expect(cache.work.list(agent).map((t) => t.number)).toEqual([3, 1]);
    cache.tickets.upsert(ticket(2));
    expect(cache.work.add(agent, ticket(2).id)).toBe(true);
    expect(cache.work.add(agent, ticket(1).id)).toBe(false); // already there: no duplicate
    expect(cache.work.list(agent).map((t) => t.number)).toEqual([3, 1, 2]);
    expect(cache.work.remove(agent, ticket(3).id)).toBe(true);
    expect(cache.work.list(agent).map((t) => t.number)).toEqual([1, 2]);
    // A work item must point at a stored ticket.
    expect(() => cache?.work.add(agent, ticket(9).id)).toThrow(/FOREIGN KEY/);
  });

  it('forgets another agent’s rows on clearAgentData but keeps meta', () => {
    cache = openCache(':memory:');
    cache.storeDetail(detail(ticket(1), ['hello']));
    cache.replaceWork(agent, [ticket(1)]);
    cache.meta.set('lastHubUrl', 'http://127.0.0.1:7700');
    cache.clearAgentData();
    expect(cache.work.list(agent)).toEqual([]);
    expect(cache.tickets.get(ticket(1).id)).toBeNull();
    expect(cache.meta.get('lastHubUrl', z.string())).toBe('http://127.0.0.1:7700');
  });

  it('reads a meta value that no longer fits its schema as absent', () => {
    cache = openCache(':memory:');
    cache.meta.set('cursor', { eventId: 'not a number' });
    expect(cache.meta.get('cursor', z.object({ eventId: z.number() }))).toBeNull();
    cache.db.prepare("UPDATE meta SET value = '{broken' WHERE key = 'cursor'").run();
    expect(cache.meta.get('cursor', z.object({ eventId: z.number() }))).toBeNull();
  });
});
