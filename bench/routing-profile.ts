/**
 * Counts database statements on the inbound → offer path (one hub in this process, PostgreSQL):
 * `npx tsx bench/routing-profile.ts`. Each statement is tagged with the phase that ran it.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { ensureAgent } from '../src/hub/agents/create.js';
import { createIntegrationToken } from '../src/hub/auth/sessions.js';
import { createQueue } from '../src/hub/routing/queues.js';
import { startHub } from '../src/hub/server.js';
import { startPostgres } from '../tests/support/postgres.js';

const counts = new Map<string, number>();
const frames = new Map<string, number>();
const original = pg.Client.prototype.query;
let counting = false;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (counting) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const pgServer = await startPostgres();
const url = await pgServer.createDatabase('prof');
const hub = await startHub({ databaseUrl: url, scryptCost: 1024 });
const agents = 20;
const tasks = Number(process.env.TASKS ?? 50);
const full = process.env.FULL === '1';
const agentIds: string[] = [];
const call = (token: string, path: string) =>
  fetch(new URL(path, hub.url), { method: 'POST', headers: { authorization: `Bearer ${token}` } });
try {
  await hub.ctx.tx(async (q) => {
    await createQueue(q, { name: 'bench', channels: ['chat'], offerTimeouts: { chat: 60 } });
    await createIntegrationToken(q, 'bench', 'bench-integration-token-0123456789');
    for (let i = 0; i < agents; i++) {
      await ensureAgent(
        q,
        {
          login: `b${i}`,
          name: `B${i}`,
          password: 'pw-bench-123',
          roles: ['agent'],
          queues: ['bench'],
          capacity: { chat: 100 },
        },
        1024,
      );
    }
  });
  const sockets: WebSocket[] = [];
  let offers = 0;
  for (let i = 0; i < agents; i++) {
    const res = await fetch(new URL('/api/v1/auth/login', hub.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: `b${i}`, password: 'pw-bench-123' }),
    });
    const { token, agent } = (await res.json()) as { token: string; agent: { id: string } };
    agentIds[i] = agent.id;
    const ws = new WebSocket(new URL('/api/v1/stream', hub.url.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((r) => ws.once('message', () => r()));
    // Like the bench's consoles (FULL=1): accept every offer and close the ticket once assigned.
    ws.on('message', (d) => {
      const frame = JSON.parse(String(d)) as {
        kind: string;
        event?: {
          type: string;
          agentId: string | null;
          ticketId: string | null;
          data: { offer?: { id: string } };
        };
      };
      const e = frame.event;
      if (counting) frames.set(e?.type ?? frame.kind, (frames.get(e?.type ?? frame.kind) ?? 0) + 1);
      if (!e || e.agentId !== agentIds[i]) return;
      if (e.type === 'offer.created') {
        offers++;
        if (full) void call(token, `/api/v1/offers/${e.data.offer!.id}/accept`);
      } else if (e.type === 'task.assigned' && full) {
        void call(token, `/api/v1/tickets/${e.ticketId}/close`);
      }
    });
    sockets.push(ws);
    await fetch(new URL('/api/v1/me/state', hub.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'available' }),
    });
  }
  await new Promise((r) => setTimeout(r, 300));
  counting = true;
  for (let i = 0; i < tasks; i++) {
    await fetch(new URL('/api/v1/inbound/messages', hub.url), {
      method: 'POST',
      headers: {
        authorization: 'Bearer bench-integration-token-0123456789',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        channel: 'chat',
        from: { email: `p${i}@x.test` },
        text: 'hi',
        queue: 'bench',
      }),
    });
  }
  for (let i = 0; i < 100 && offers < tasks; i++) await new Promise((r) => setTimeout(r, 50));
  if (full) await new Promise((r) => setTimeout(r, 2000)); // the accepts and closes
  counting = false;
  let total = 0;
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    total += n;
    console.log(String((n / tasks).toFixed(2)).padStart(6), k);
  }
  for (const [k, n] of [...frames].sort((a, b) => b[1] - a[1]))
    console.log(String((n / tasks).toFixed(2)).padStart(6), 'frame', k);
  console.log(`total per task: ${(total / tasks).toFixed(1)} (offers seen ${offers}/${tasks})`);
  for (const s of sockets) s.close();
} finally {
  await hub.close();
  await pgServer.stop();
}
