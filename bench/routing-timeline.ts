/**
 * Where the time of one task goes on an idle hub: `npx tsx bench/routing-timeline.ts`. One hub in
 * this process on PostgreSQL, 200 agents with streams open; 60 inbound messages one at a time
 * (150 ms apart, so nothing queues). For the last three it prints when each statement was sent
 * to / answered by PostgreSQL, relative to the POST, and when the offer frame reached the stream;
 * then the latency's p50, min and max. The bench's client shares this process (and its event
 * loop) with the hub: read the gaps, not the absolute figures.
 */
import pg from 'pg';
import WebSocket from 'ws';
import { ensureAgent } from '../src/hub/agents/create.js';
import { createIntegrationToken } from '../src/hub/auth/sessions.js';
import { createQueue } from '../src/hub/routing/queues.js';
import { startHub } from '../src/hub/server.js';
import { closeHttpClient, httpRequest } from '../tests/support/http-client.js';
import { startPostgres } from '../tests/support/postgres.js';

const AGENTS = 200;
const TASKS = 60;
const SHOWN = 3;

let t0 = 0;
const marks: string[] = [];
const mark = (what: string) => {
  if (t0) marks.push(`${(performance.now() - t0).toFixed(2).padStart(7)} ms  ${what}`);
};
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
  const short = text.replace(/\s+/g, ' ').trim().slice(0, 60);
  mark(`> ${short}`);
  // A pipelined statement (db/pg-framed.ts) is a query object answering through its callback.
  const withCallback = first as { callback?: (...a: unknown[]) => void } | undefined;
  const callback = withCallback?.callback;
  if (typeof callback === 'function') {
    withCallback!.callback = (...a: unknown[]) => {
      mark(`< ${short}`);
      callback.apply(first, a);
    };
  }
  const result = (original as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) result.then(() => mark(`< ${short}`)).catch(() => {});
  return result;
} as typeof pg.Client.prototype.query;

const pgServer = await startPostgres();
const url = await pgServer.createDatabase('timeline');
const hub = await startHub({ databaseUrl: url, scryptCost: 1024 });
const sockets: WebSocket[] = [];
try {
  await hub.ctx.tx(async (q) => {
    await createQueue(q, { name: 'bench', channels: ['chat'], offerTimeouts: { chat: 60 } });
    await createIntegrationToken(q, 'bench', 'bench-integration-token-0123456789');
    for (let i = 0; i < AGENTS; i++) {
      await ensureAgent(
        q,
        {
          login: `b${i}`,
          name: `B${i}`,
          password: 'pw-bench-123',
          roles: ['agent'],
          queues: ['bench'],
          capacity: { chat: 3 },
        },
        1024,
      );
    }
  });
  let onOffer: (() => void) | undefined;
  for (let i = 0; i < AGENTS; i++) {
    const login = await httpRequest(new URL('/api/v1/auth/login', hub.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: `b${i}`, password: 'pw-bench-123' }),
    });
    const { token } = JSON.parse(login.text) as { token: string };
    const ws = new WebSocket(new URL('/api/v1/stream', hub.url.replace(/^http/, 'ws')), {
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise<void>((r) => ws.once('message', () => r()));
    ws.on('message', (d) => {
      if (!String(d).includes('"offer.created"')) return;
      mark('offer.created frame on the stream');
      onOffer?.();
    });
    sockets.push(ws);
    await httpRequest(new URL('/api/v1/me/state', hub.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'available' }),
    });
  }
  const latency: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    await new Promise((r) => setTimeout(r, 150));
    marks.length = 0;
    const offered = new Promise<void>((r) => (onOffer = r));
    t0 = performance.now();
    mark('POST /api/v1/inbound/messages');
    const answered = httpRequest(new URL('/api/v1/inbound/messages', hub.url), {
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
    }).then(() => mark('POST answered'));
    await offered;
    latency.push(performance.now() - t0);
    await answered;
    t0 = 0;
    if (i >= TASKS - SHOWN) console.log(`${marks.join('\n')}\n---`);
  }
  latency.sort((a, b) => a - b);
  const at = (p: number) => latency[Math.min(latency.length - 1, Math.floor(p * latency.length))]!;
  console.log(
    `offer latency over ${TASKS} tasks: p50 ${at(0.5).toFixed(1)} ms, min ${at(0).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`,
  );
} finally {
  for (const s of sockets) s.close();
  closeHttpClient();
  await hub.close();
  await pgServer.stop();
}
