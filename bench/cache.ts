import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InboundMessageResponse, LoginResponse } from '../src/shared/api/index.js';
import { type Message, type TicketDetail } from '../src/shared/domain/index.js';
import { startHub } from '../src/hub/server.js';
import { openCache } from '../src/main/cache/cache.js';
import { silentLogger } from '../src/main/logger.js';
import { OutboxDelivery } from '../src/main/outbox/delivery.js';
import { openUserData } from '../src/main/outbox/user-data.js';
import { uuidv7 } from '../src/main/outbox/uuid-v7.js';
import { HubClient } from '../src/main/sync/hub-client.js';
import { summarize, type Summary } from './stats.js';

/**
 * The desktop cache and outbox (issue 4), on a real file:
 * - open a ticket with 500 messages (Cache.getDetail, what `tickets.get` serves offline);
 * - FTS5 search over 100,000 cached messages (the search box);
 * - a resync that writes 10,000 messages (200 tickets × 50, FTS indexing included), which is
 *   what the console applies after the hub answers cursor_too_old or a corrupt cache is rebuilt;
 * - Send (draft → outbox row, synchronous=FULL) and outbox delivery throughput to a hub once
 *   online (in-process hub, PGlite in memory).
 */

const WORDS = (
  'paczka zamówienie dostawa zwrot reklamacja faktura rozmiar kolor buty kurtka adres kurier ' +
  'płatność przelew rabat kod sklep koszyk termin opóźnienie wymiana parcel order delivery refund ' +
  'invoice size colour shoes jacket address courier payment discount voucher basket delay exchange ' +
  'tracking warehouse label receipt'
).split(' ');

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

function ticketDetail(index: number, messages: number, rand: () => number): TicketDetail {
  const id = randomUUID();
  const customerId = randomUUID();
  const word = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  const text = (n: number) => Array.from({ length: n }, word).join(' ');
  const list: Message[] = Array.from({ length: messages }, (_, m) => ({
    id: randomUUID(),
    ticketId: id,
    direction: m % 2 === 0 ? 'in' : 'out',
    authorName: m % 2 === 0 ? `Klient ${index}` : 'Anna Nowak',
    authorAgentId: null,
    text: `${text(12)} #${index}-${m} ${text(20)}`,
    createdAt: at(index * 1000 + m),
  }));
  return {
    ticket: {
      id,
      number: index + 1,
      subject: `${word()} ${word()} ${index}`,
      status: 'open',
      channel: 'email',
      queueId: null,
      customerId,
      customerName: `Klient ${index} ${word()}`,
      assigneeId: null,
      version: 1,
      createdAt: at(index * 1000),
      updatedAt: at(index * 1000 + messages),
    },
    customer: {
      id: customerId,
      name: `Klient ${index}`,
      email: `klient${index}@example.pl`,
      phone: null,
    },
    messages: list,
  };
}

/** Deterministic pseudo-random numbers, so runs compare. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

export interface CacheBenchReport {
  ticketOpen500: Summary;
  search100k: Summary & { meanHits: number };
  resync10k: { messages: number; ms: number; messagesPerSecond: number };
  sendEnqueue: Summary;
  outboxDelivery: { replies: number; tickets: number; ms: number; repliesPerSecond: number };
}

export async function cacheBench(options: { runs?: number } = {}): Promise<CacheBenchReport> {
  const runs = options.runs ?? 300;
  const dir = mkdtempSync(join(tmpdir(), 'concierge-bench-cache-'));
  const rand = lcg(42);
  try {
    const cache = openCache(dir);
    // 100,000 messages: 199 tickets × 500 + the 500-message ticket that is opened.
    const big = ticketDetail(0, 500, rand);
    cache.storeDetail(big);
    for (let t = 1; t < 200; t++) cache.storeDetail(ticketDetail(t, 500, rand));
    const total = (cache.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    if (total !== 100_000) throw new Error(`expected 100000 messages, got ${total}`);

    const open: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [detail, ms] = time(() => cache.getDetail(big.ticket.id));
      if (detail?.messages.length !== 500) throw new Error('ticket open returned the wrong detail');
      open.push(ms);
    }

    const search: number[] = [];
    let hits = 0;
    for (let i = 0; i < runs; i++) {
      const query =
        i % 3 === 0
          ? WORDS[i % WORDS.length]!
          : i % 3 === 1
            ? `${WORDS[i % WORDS.length]!} ${WORDS[(i * 7) % WORDS.length]!}`
            : WORDS[i % WORDS.length]!.slice(0, 4); // a prefix, as typed
      const [found, ms] = time(() => cache.search.search(query, 30));
      hits += found.length;
      search.push(ms);
    }

    // Resync: 200 tickets × 50 messages replace what the cache had for them.
    const resync = Array.from({ length: 200 }, (_, t) => ticketDetail(1000 + t, 50, rand));
    const [, resyncMs] = time(() => {
      for (const detail of resync) cache.storeDetail(detail);
    });
    cache.close();

    // Outbox: Send latency (FULL), then delivery to a hub.
    const hub = await startHub({ demo: true, simulator: false, scryptCost: 1024 });
    try {
      const userData = openUserData(dir);
      const tickets: string[] = [];
      for (let t = 0; t < 50; t++) {
        const response = await fetch(new URL('/api/v1/inbound/messages', hub.url), {
          method: 'POST',
          headers: {
            authorization: 'Bearer demo-integration-key',
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            channel: 'email',
            from: { email: `bench-${t}-${Date.now()}@example.com` },
            subject: `Bench ${t}`,
            text: 'Dzień dobry',
          }),
        });
        tickets.push(InboundMessageResponse.parse(await response.json()).ticketId);
      }
      const login = await fetch(new URL('/api/v1/auth/login', hub.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'lead1', password: 'demo' }),
      });
      const { token, agent } = LoginResponse.parse(await login.json());
      const scope = { hubUrl: hub.url, agentId: agent.id };
      const replies = 1000;
      const enqueue: number[] = [];
      for (let i = 0; i < replies; i++) {
        const ticketId = tickets[i % tickets.length]!;
        const [, ms] = time(() =>
          userData.transaction(() => {
            userData.outbox.insert({
              ...scope,
              id: uuidv7(),
              ticketId,
              ticketNumber: null,
              ticketSubject: null,
              text: `Odpowiedź ${i}`,
              baseVersion: null,
            });
            userData.drafts.save(agent.id, ticketId, '');
          }),
        );
        enqueue.push(ms);
      }
      const delivery = new OutboxDelivery({
        userData: () => userData,
        logger: silentLogger,
        onChange: () => undefined,
        onDelivered: () => undefined,
        onUnauthorized: () => undefined,
      });
      const start = performance.now();
      const idle = delivery.whenIdle();
      delivery.start(scope, new HubClient({ baseUrl: hub.url, token }));
      await idle;
      const deliveryMs = performance.now() - start;
      await delivery.stop();
      const delivered = userData.outbox.list(scope).filter((r) => r.state === 'delivered').length;
      if (delivered !== replies) throw new Error(`delivered ${delivered} of ${replies}`);
      userData.close();
      const round = (v: number) => Math.round(v);
      return {
        ticketOpen500: summarize(open),
        search100k: { ...summarize(search), meanHits: round(hits / runs) },
        resync10k: {
          messages: 10_000,
          ms: round(resyncMs),
          messagesPerSecond: round(10_000 / (resyncMs / 1000)),
        },
        sendEnqueue: summarize(enqueue),
        outboxDelivery: {
          replies,
          tickets: tickets.length,
          ms: round(deliveryMs),
          repliesPerSecond: round(replies / (deliveryMs / 1000)),
        },
      };
    } finally {
      await hub.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
