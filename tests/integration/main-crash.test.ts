import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessageResponse } from '../../src/shared/api/index.js';
import { startHub } from '../../src/hub/server.js';
import { USER_DATA_FILE } from '../../src/main/outbox/user-data.js';
import { tempDir } from './main-support.js';
import { bundleChild, startChild, type Child } from './support/child-process.js';
import { startFaultProxy, type ReplyFault } from './support/fault-proxy.js';

/**
 * kill -9 of the process holding the main services at random points of an outbox flush; after
 * every restart the outbox resumes, and in the end every reply exists on the hub exactly once, in
 * the order it was sent per ticket. Fast mode (docs/desktop.md): one in-process hub, the services
 * in a small bundled child process restarted after each kill, several kills per minute of CPU.
 */
const ITERATIONS = Number(process.env.CONCIERGE_CRASH_ITERATIONS ?? 200);
const TICKETS = 6;

const WORKERS = 2; // two independent desktops (own data dir, proxy, tickets) use both cores

let hub: Awaited<ReturnType<typeof startHub>>;
const dir = tempDir('concierge-crash-');

async function newTicket(tag: string): Promise<string> {
  const response = await fetch(new URL('/api/v1/inbound/messages', hub.url), {
    method: 'POST',
    headers: { authorization: 'Bearer demo-integration-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      channel: 'email',
      from: { email: `crash-${tag}-${Date.now()}@example.com`, name: `Klient ${tag}` },
      subject: `Crash ticket ${tag}`,
      text: 'Dzień dobry, gdzie jest paczka?',
    }),
  });
  return InboundMessageResponse.parse(await response.json()).ticketId;
}

beforeAll(async () => {
  [hub] = await Promise.all([
    startHub({ demo: true, simulator: false, scryptCost: 1024, feedPollMs: 500 }),
    bundleChild(),
  ]);
}, 60_000);

afterAll(async () => {
  await hub?.close();
  dir.remove();
});

const random = (n: number) => Math.floor(Math.random() * n);
const MODES = ['before-hub', 'after-hub', 'self-before-send', 'timer'] as const;

interface WorkerResult {
  kills: number;
  replies: number;
  faults: number;
  modes: Record<string, number>;
}

/** One desktop: sign in, then `iterations` times start, send, get killed; finally drain, verify. */
async function worker(index: number, iterations: number): Promise<WorkerResult> {
  const proxy = await startFaultProxy(hub.url);
  try {
    const ticketIds: string[] = [];
    for (let i = 0; i < TICKETS; i++) ticketIds.push(await newTicket(`${index}-${i}`));
    const dataDir = join(dir.dir, `desktop-${index}`);
    // Sign in once (the session survives restarts) and cache the tickets (base versions).
    let child: Child = await startChild({ dataDir, hubUrl: proxy.url });
    await child.call('login', { login: 'lead1' });
    for (const ticketId of ticketIds) await child.call('get', { ticketId });
    await child.stop();

    const confirmed: string[] = [];
    const modes: Record<string, number> = {};
    for (let i = 0; i < iterations; i++) {
      const mode = MODES[random(MODES.length)]!;
      modes[mode] = (modes[mode] ?? 0) + 1;
      child = await startChild({
        dataDir,
        hubUrl: proxy.url,
        killBeforeSend: mode === 'self-before-send' ? 0.4 : 0,
      });
      const current = child;
      const kill = () => current.kill();
      proxy.setPlan(
        (): ReplyFault =>
          (mode === 'before-hub' || mode === 'after-hub') && Math.random() < 0.35 ? mode : 'none',
        kill,
      );
      const sends = Array.from({ length: 1 + random(3) }, (_, j) => {
        const text = `crash:${index}:${i}:${j}`;
        const ticketId = ticketIds[random(TICKETS)]!;
        return current.call('send', { ticketId, text }).then(
          () => void confirmed.push(text),
          () => undefined, // killed while enqueuing: the transaction either happened or not
        );
      });
      await Promise.all(sends);
      if (mode === 'timer') setTimeout(() => void kill(), random(30));
      // Whatever the plan did, this iteration ends with a kill -9 (if not dead yet, now).
      await Promise.race([current.exited, new Promise((r) => setTimeout(r, 20 + random(100)))]);
      await kill();
    }

    proxy.setPlan(
      () => 'none',
      async () => undefined,
    );
    child = await startChild({ dataDir, hubUrl: proxy.url });
    await child.call('drain');
    await child.stop();

    // What the desktop holds: every row delivered.
    const db = new Database(join(dataDir, USER_DATA_FILE), { readonly: true });
    const rows = db
      .prepare<[], { ticket_id: string; text: string; state: string }>(
        'SELECT ticket_id, text, state FROM outbox ORDER BY seq',
      )
      .all();
    db.close();
    expect(rows.filter((r) => r.state !== 'delivered')).toEqual([]);
    const texts = new Set(rows.map((r) => r.text));
    // Every Send the child confirmed is in the outbox (a committed transaction survives kill -9).
    expect(confirmed.filter((t) => !texts.has(t))).toEqual([]);

    // What the hub holds: each row exactly once, in outbox order per ticket.
    const messages = await hub.ctx.db.query<{ ticket_id: string; text: string }>(
      `select ticket_id, text from messages where direction = 'out' and text like $1
        order by ticket_id, ticket_version, created_at`,
      [`crash:${index}:%`],
    );
    expect(messages).toHaveLength(rows.length);
    for (const ticketId of ticketIds) {
      expect(messages.filter((m) => m.ticket_id === ticketId).map((m) => m.text)).toEqual(
        rows.filter((r) => r.ticket_id === ticketId).map((r) => r.text),
      );
    }
    return { kills: iterations, replies: rows.length, faults: proxy.forwarded.faults, modes };
  } finally {
    await proxy.close();
  }
}

describe('outbox under kill -9', () => {
  it(`delivers every reply exactly once, in order per ticket, across ${ITERATIONS} kills`, async () => {
    const share = Math.ceil(ITERATIONS / WORKERS);
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i, share)));
    const kills = results.reduce((n, r) => n + r.kills, 0);
    const faults = results.reduce((n, r) => n + r.faults, 0);
    expect(kills).toBeGreaterThanOrEqual(ITERATIONS);
    // The proxy really cut requests on both sides of the hub's commit.
    expect(faults).toBeGreaterThan(ITERATIONS / 10);
    console.info(
      `crash test: ${kills} kills, ${results.reduce((n, r) => n + r.replies, 0)} replies, ` +
        `${faults} cut by the proxy, modes ${JSON.stringify(results.map((r) => r.modes))}`,
    );
  }, 600_000);
});
