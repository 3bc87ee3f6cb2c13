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
    const { token } = (await res.json()) as { token: string };
    const ws = new WebSocket(new URL('/api/v1/stream', hub.url.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((r) => ws.once('message', () => r()));
    ws.on('message', (d) => {
      if (String(d).includes('"offer.created"')) offers++;
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
  counting = false;
  let total = 0;
  for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    total += n;
    console.log(String((n / tasks).toFixed(2)).padStart(6), k);
  }
  console.log(`total per task: ${(total / tasks).toFixed(1)} (offers seen ${offers}/${tasks})`);
  for (const s of sockets) s.close();
} finally {
  await hub.close();
  await pgServer.stop();
}
