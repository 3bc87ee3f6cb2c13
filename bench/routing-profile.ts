/**
 * Counts database statements on the inbound → offer path (one hub in this process, PostgreSQL):
 * `npx tsx bench/routing-profile.ts`. Each statement is tagged with the phase that ran it.
 */
import pg from 'pg';
import { httpRequest } from '../tests/support/http-client.js';
import { inProcessHub, postInbound } from './in-process-hub.js';

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

const agentCount = 20;
const tasks = Number(process.env.TASKS ?? 50);
const full = process.env.FULL === '1';
const { hub, agents, stop } = await inProcessHub(agentCount, 100);
const call = (token: string, path: string) =>
  httpRequest(new URL(path, hub.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
try {
  let offers = 0;
  for (const { id, token, stream } of agents) {
    // Like the bench's consoles (FULL=1): accept every offer and close the ticket once assigned.
    stream.on('message', (d) => {
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
      if (!e || e.agentId !== id) return;
      if (e.type === 'offer.created') {
        offers++;
        if (full) void call(token, `/api/v1/offers/${e.data.offer!.id}/accept`);
      } else if (e.type === 'task.assigned' && full) {
        void call(token, `/api/v1/tickets/${e.ticketId}/close`);
      }
    });
  }
  await new Promise((r) => setTimeout(r, 300));
  counting = true;
  for (let i = 0; i < tasks; i++) {
    await postInbound(hub.url, i);
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
} finally {
  await stop();
}
