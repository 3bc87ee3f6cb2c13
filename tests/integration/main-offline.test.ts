import { readdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessageResponse, LoginResponse } from '../../src/shared/api/index.js';
import { type OutboxRow, type OutboxState } from '../../src/shared/bridge/contract.js';
import { type TicketDetail } from '../../src/shared/domain/index.js';
import { startHub } from '../../src/hub/server.js';
import { raiseHorizon } from '../../src/hub/events/horizon.js';
import { lastEventId } from '../../src/hub/events/append.js';
import { type DeliveryClock } from '../../src/main/outbox/delivery.js';
import { CACHE_FILE } from '../../src/main/cache/cache.js';
import { makeServices, startRelay, tempDir, waitFor, type Recorded } from './main-support.js';
import { bundleChild, startChild } from './support/child-process.js';

/**
 * Offline-first behaviour of the main services against a real in-process hub: conflicts, a long
 * outage with a big outbox, a corrupt cache, a stream cursor the hub cannot resume, and a draft
 * surviving kill -9.
 */
let hub: Awaited<ReturnType<typeof startHub>>;
let relay: Awaited<ReturnType<typeof startRelay>>;
let leadToken: string;
const dirs: (() => void)[] = [];
const stoppers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [hub] = await Promise.all([
    startHub({ demo: true, simulator: false, scryptCost: 1024, feedPollMs: 200 }),
    bundleChild(),
  ]);
  relay = await startRelay(new URL(hub.url));
  const login = await fetch(new URL('/api/v1/auth/login', hub.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'lead1', password: 'demo' }),
  });
  leadToken = LoginResponse.parse(await login.json()).token;
}, 60_000);

afterAll(async () => {
  for (const stop of stoppers.splice(0)) await stop().catch(() => undefined);
  await relay?.down();
  await hub?.close();
  for (const remove of dirs) remove();
});

function dataDir() {
  const { dir, remove } = tempDir('concierge-offline-');
  dirs.push(remove);
  return dir;
}

let seq = 0;
async function newTicket(tag: string) {
  const email = `offline-${tag}-${Date.now()}-${seq++}@example.com`;
  const response = await fetch(new URL('/api/v1/inbound/messages', hub.url), {
    method: 'POST',
    headers: { authorization: 'Bearer demo-integration-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      channel: 'email',
      from: { email, name: 'Ewa Testowa' },
      subject: `Zamówienie ${tag}`,
      text: 'Dzień dobry, gdzie jest moja paczka?',
    }),
  });
  expect(response.status).toBe(201);
  return { id: InboundMessageResponse.parse(await response.json()).ticketId, email };
}

async function customerWrites(email: string, text: string) {
  const response = await fetch(new URL('/api/v1/inbound/messages', hub.url), {
    method: 'POST',
    headers: { authorization: 'Bearer demo-integration-key', 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'email', from: { email }, text }),
  });
  expect(response.ok).toBe(true);
}

async function hubReplies(ticketId: string, prefix: string): Promise<string[]> {
  const rows = await hub.ctx.db.query<{ text: string }>(
    `select text from messages where ticket_id = $1 and direction = 'out' and text like $2
      order by ticket_version, created_at`,
    [ticketId, `${prefix}%`],
  );
  return rows.map((r) => r.text);
}

async function signedIn(options: { hubUrl: string; dir?: string; clock?: DeliveryClock }) {
  const made = makeServices({
    dataDir: options.dir ?? dataDir(),
    outbox: options.clock
      ? { clock: options.clock, backoff: { baseMs: 1_000, maxMs: 60_000 } }
      : undefined,
  });
  stoppers.push(() => made.services.stop());
  await made.services.start();
  await made.services.handlers['session.login']({
    hubUrl: options.hubUrl,
    login: 'lead1',
    password: 'demo',
  });
  return made;
}

async function rowsOf(made: ReturnType<typeof makeServices>): Promise<OutboxRow[]> {
  return (await made.services.handlers['outbox.list']({})).rows;
}

async function rowInState(
  made: ReturnType<typeof makeServices>,
  id: string,
  states: OutboxState[],
  timeoutMs = 15_000,
): Promise<OutboxRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = (await rowsOf(made)).find((r) => r.id === id);
    if (row && states.includes(row.state)) return row;
    if (Date.now() > deadline)
      throw new Error(`row ${id} is ${row?.state}, not ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A clock the test moves: the outbox lives through minutes of outage in milliseconds. */
class FakeClock implements DeliveryClock {
  private t = Date.now();
  private timers: { at: number; resolve: () => void }[] = [];
  now() {
    return this.t;
  }
  random() {
    return Math.random();
  }
  sleep(ms: number, signal: AbortSignal) {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer = {
        at: this.t + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
  advance(ms: number) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.resolve();
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('offline-first main services', () => {
  it('turns reassigned, closed and newer-customer-message conflicts into reviews the agent resolves', async () => {
    const made = await signedIn({ hubUrl: hub.url });
    const h = made.services.handlers;
    const [moved, closed, newer, own] = await Promise.all(
      ['moved', 'closed', 'newer', 'own'].map((tag) => newTicket(tag)),
    );
    for (const t of [moved!, closed!, newer!, own!]) await h['tickets.get']({ ticketId: t.id });

    // Meanwhile, on the hub: reassigned (a supervisor's move), closed, and the customer wrote.
    const [agent2] = await hub.ctx.db.query<{ id: string }>(
      `select id from agents where login = 'agent2'`,
    );
    await hub.ctx.db.query(
      'update tickets set assignee_id = $2, version = version + 1 where id = $1',
      [moved!.id, agent2!.id],
    );
    const close = await fetch(new URL(`/api/v1/tickets/${closed!.id}/close`, hub.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${leadToken}` },
    });
    expect(close.status).toBe(200);
    await customerWrites(newer!.email, 'Proszę jednak anulować zamówienie.');

    const send = (ticketId: string, text: string) => h['outbox.send']({ ticketId, text });
    const rMoved = await send(moved!.id, 'conflict: moved');
    const rClosed = await send(closed!.id, 'conflict: closed');
    const rNewer = await send(newer!.id, 'conflict: newer');
    const rOwn1 = await send(own!.id, 'conflict: own 1');
    const rOwn2 = await send(own!.id, 'conflict: own 2');
    expect(rOwn2.baseVersion).toBe(rOwn1.baseVersion);

    const reviewMoved = await rowInState(made, rMoved.id, ['needs_review']);
    expect(reviewMoved.conflict?.reason).toBe('reassigned');
    const reviewClosed = await rowInState(made, rClosed.id, ['needs_review']);
    expect(reviewClosed.conflict?.reason).toBe('closed');
    const reviewNewer = await rowInState(made, rNewer.id, ['needs_review']);
    expect(reviewNewer.conflict?.reason).toBe('newer_customer_message');
    expect(reviewNewer.conflict?.newMessages.map((m) => m.text)).toContain(
      'Proszę jednak anulować zamówienie.',
    );
    // The agent's own earlier reply is not a conflict: both go, in order.
    await rowInState(made, rOwn2.id, ['delivered']);
    expect(await hubReplies(own!.id, 'conflict:')).toEqual(['conflict: own 1', 'conflict: own 2']);
    expect(await hubReplies(moved!.id, 'conflict:')).toEqual([]);
    expect(await hubReplies(newer!.id, 'conflict:')).toEqual([]);

    // Send anyway: delivered once (same key, no If-Match).
    await h['outbox.resolve']({ id: rNewer.id, action: 'sendAnyway' });
    await rowInState(made, rNewer.id, ['delivered']);
    expect(await hubReplies(newer!.id, 'conflict:')).toEqual(['conflict: newer']);

    // Edit: the text goes back into the ticket's draft, the row leaves the outbox.
    await h['drafts.save']({ ticketId: moved!.id, text: 'PS.' });
    await h['outbox.resolve']({ id: rMoved.id, action: 'edit' });
    expect((await h['drafts.get']({ ticketId: moved!.id })).text).toBe('conflict: moved\n\nPS.');
    expect((await rowsOf(made)).some((r) => r.id === rMoved.id)).toBe(false);

    // Sending anyway to a closed ticket is refused by the hub: it fails visibly, then is discarded.
    await h['outbox.resolve']({ id: rClosed.id, action: 'sendAnyway' });
    const failed = await rowInState(made, rClosed.id, ['failed']);
    expect(failed.lastError).toMatch(/closed/);
    await h['outbox.resolve']({ id: rClosed.id, action: 'discard' });
    expect((await rowsOf(made)).some((r) => r.id === rClosed.id)).toBe(false);
    expect(await hubReplies(closed!.id, 'conflict:')).toEqual([]);
  }, 60_000);

  it('keeps 500 replies on 50 tickets through a 10-minute outage, then delivers each once, in order', async () => {
    const clock = new FakeClock();
    const made = await signedIn({ hubUrl: relay.url, clock });
    const h = made.services.handlers;
    const tickets: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => newTicket(`bulk-${batch}-${i}`)),
      );
      tickets.push(...created.map((t) => t.id));
    }
    for (const id of tickets) await h['tickets.get']({ ticketId: id });

    await relay.down();
    await waitFor(
      made.events,
      (e: Recorded) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'offline',
      'offline',
    );
    for (let i = 0; i < 500; i++) {
      await h['outbox.send']({ ticketId: tickets[i % 50]!, text: `outage:${i}` });
    }
    // Ten minutes of outage in fake time: the outbox keeps retrying, capped at a minute apart.
    const attemptsBefore = (await rowsOf(made)).reduce((n, r) => n + r.attempts, 0);
    for (let s = 0; s < 120; s++) {
      clock.advance(5_000);
      await tick(3);
    }
    const rowsDown = await rowsOf(made);
    const attemptsDown = rowsDown.reduce((n, r) => n + r.attempts, 0) - attemptsBefore;
    expect(rowsDown.filter((r) => r.state === 'delivered')).toEqual([]);
    expect(rowsDown).toHaveLength(500);
    // Backoff, not a busy loop: a few rounds of at most 4 heads over ten minutes.
    expect(attemptsDown).toBeGreaterThan(4);
    expect(attemptsDown).toBeLessThan(4 * 40);

    await relay.up();
    // The stream comes back online and wakes the outbox at once (no wait for the backoff).
    const deadline = Date.now() + 90_000;
    for (;;) {
      const rows = await rowsOf(made);
      if (rows.every((r) => r.state === 'delivered')) break;
      if (Date.now() > deadline) throw new Error('not delivered in time');
      clock.advance(1_000);
      await tick(50);
    }
    const messages = await hub.ctx.db.query<{ ticket_id: string; text: string }>(
      `select ticket_id, text from messages where direction = 'out' and text like 'outage:%'
        order by ticket_id, ticket_version, created_at`,
    );
    expect(messages).toHaveLength(500);
    for (let t = 0; t < 50; t++) {
      const expected = Array.from({ length: 10 }, (_, k) => `outage:${t + 50 * k}`);
      expect(messages.filter((m) => m.ticket_id === tickets[t]).map((m) => m.text)).toEqual(
        expected,
      );
    }
  }, 180_000);

  it('moves a corrupt cache aside and rebuilds it, keeping drafts and the outbox intact', async () => {
    for (const damage of ['pages', 'header'] as const) {
      const dir = dataDir();
      const made = await signedIn({ hubUrl: relay.url, dir });
      const h = made.services.handlers;
      const ticket = await newTicket(`corrupt-${damage}`);
      await h['tickets.get']({ ticketId: ticket.id });
      const draft = 'Zażółć gęślą jaźń —\n  szkic z dwiema spacjami  ';
      await h['drafts.save']({ ticketId: ticket.id, text: draft });
      await relay.down();
      const queued = [
        await h['outbox.send']({ ticketId: ticket.id, text: `corrupt:${damage}:1` }),
        await h['outbox.send']({ ticketId: ticket.id, text: `corrupt:${damage}:2` }),
      ];
      await h['drafts.save']({ ticketId: ticket.id, text: draft });
      await made.services.stop();

      // Damage the cache file: garbage over its b-tree pages, or over the header.
      const fd = openSync(join(dir, CACHE_FILE), 'r+');
      writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, damage === 'header' ? 0 : 4096);
      closeSync(fd);

      await relay.up();
      const again = makeServices({ dataDir: dir });
      stoppers.push(() => again.services.stop());
      await again.services.start();
      expect(readdirSync(dir).some((f) => /^cache\.corrupt-.*\.sqlite$/.test(f))).toBe(true);
      const session = await again.services.handlers['session.get']({});
      if (session.status !== 'signed_in') {
        // The session info was in the damaged pages: the agent signs in again, nothing is lost.
        await again.services.handlers['session.login']({
          hubUrl: relay.url,
          login: 'lead1',
          password: 'demo',
        });
      }
      const h2 = again.services.handlers;
      expect((await h2['drafts.get']({ ticketId: ticket.id })).text).toBe(draft);
      for (const row of queued) await rowInState(again, row.id, ['delivered'], 30_000);
      expect(await hubReplies(ticket.id, `corrupt:${damage}:`)).toEqual([
        `corrupt:${damage}:1`,
        `corrupt:${damage}:2`,
      ]);
      // The rebuilt cache serves the ticket again.
      const detail: TicketDetail = await h2['tickets.get']({ ticketId: ticket.id });
      expect(detail.ticket.id).toBe(ticket.id);
      await again.services.stop();
    }
  }, 90_000);

  it('keeps a draft to the character through kill -9 of the process holding the services', async () => {
    const dir = dataDir();
    const ticket = await newTicket('draft-kill');
    let child = await startChild({ dataDir: dir, hubUrl: hub.url });
    await child.call('login', { login: 'lead1' });
    const full = 'Dzień dobry Pani Ewo,\n\npaczka wyjdzie jutro.  Pozdrawiam 🙂  ';
    const stopAt = 10 + Math.floor(Math.random() * (full.length - 10));
    let shown = '';
    for (let i = 1; i <= stopAt; i++) {
      shown = full.slice(0, i);
      await child.call('draft', { ticketId: ticket.id, text: shown });
    }
    await child.kill();
    child = await startChild({ dataDir: dir, hubUrl: hub.url });
    const draft = await child.call<{ text: string }>('draftGet', { ticketId: ticket.id });
    expect(draft.text).toBe(shown);
    await child.stop();
  }, 60_000);

  it('resynchronises the working set when the hub says the stream cursor is too old', async () => {
    const dir = dataDir();
    const ticket = await newTicket('resync');
    const [lead] = await hub.ctx.db.query<{ id: string }>(
      `select id from agents where login = 'lead1'`,
    );
    await hub.ctx.db.query(
      'update tickets set assignee_id = $2, version = version + 1 where id = $1',
      [ticket.id, lead!.id],
    );
    const made = await signedIn({ hubUrl: hub.url, dir });
    const work = await made.services.handlers['work.get']({});
    expect(work.tickets.map((t) => t.id)).toContain(ticket.id);
    await waitFor(
      made.events,
      (e: Recorded) =>
        e.name === 'connection.changed' && (e.payload as { status: string }).status === 'online',
      'online',
    );
    await made.services.stop();

    // While the console is closed the customer writes, and the hub drops its old history.
    await customerWrites(ticket.email, 'Czy mogę zmienić adres dostawy?');
    await raiseHorizon(hub.ctx.db.query, await lastEventId(hub.ctx.db.query));

    const again = makeServices({ dataDir: dir, secrets: made.secrets });
    stoppers.push(() => again.services.stop());
    await again.services.start();
    const changed = await waitFor(
      again.events,
      (e: Recorded) =>
        e.name === 'ticket.changed' &&
        (e.payload as TicketDetail).messages.some(
          (m) => m.text === 'Czy mogę zmienić adres dostawy?',
        ),
      'the resynchronised ticket',
    );
    expect((changed.payload as TicketDetail).ticket.id).toBe(ticket.id);
  }, 60_000);
});
