/**
 * The plans of a routing pass's two reads on an idle hub: `npx tsx bench/routing-explain.ts`. One
 * hub in this process on PostgreSQL, 200 agents with streams open (chat capacity 3), 60 inbound
 * messages one at a time, every offer accepted and its ticket closed, as the bench's consoles do;
 * then the last pass's lock statement and agentViews are run again under
 * EXPLAIN (ANALYZE, BUFFERS) with the values they were sent with.
 */
import pg from 'pg';
import { httpRequest } from '../tests/support/http-client.js';
import { inProcessHub, postInbound } from './in-process-hub.js';

const AGENTS = Number(process.env.AGENTS ?? 200);
const TASKS = 60;
const WATCHED = ['with free as', 'select a.id, a.idle_since'];
const last = new Map<string, { text: string; values: unknown[] }>();

const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as { text?: string; values?: unknown[] } | string;
  if (typeof first === 'object' && first?.text) {
    const key = WATCHED.find((w) => first.text!.trim().startsWith(w));
    if (key) last.set(key, { text: first.text, values: first.values ?? [] });
  }
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const { hub, agents, stop } = await inProcessHub(AGENTS, 3);
try {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const done: Promise<unknown>[] = [];
  for (const { stream } of agents) {
    stream.on('message', (d) => {
      const frame = JSON.parse(String(d)) as {
        event?: {
          type: string;
          agentId: string;
          ticketId: string;
          data: { offer?: { id: string } };
        };
      };
      const e = frame.event;
      if (e?.type !== 'offer.created' || !e.data.offer) return;
      const agent = byId.get(e.agentId)!;
      const auth = { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' };
      done.push(
        httpRequest(new URL(`/api/v1/offers/${e.data.offer.id}/accept`, hub.url), {
          method: 'POST',
          headers: auth,
          body: '{}',
        }).then(() =>
          httpRequest(new URL(`/api/v1/tickets/${e.ticketId}/close`, hub.url), {
            method: 'POST',
            headers: auth,
            body: '{}',
          }),
        ),
      );
    });
  }
  for (let i = 0; i < TASKS; i++) {
    await postInbound(hub.url, i);
    await new Promise((r) => setTimeout(r, 100));
  }
  await Promise.all(done);
  // One task queued again (a copy of a finished one, rolled back afterwards), so the pass's lock
  // statement has something to lock while the agents are available.
  await hub.ctx
    .tx(async (q) => {
      await q(
        `insert into tasks select (jsonb_populate_record(null::tasks, to_jsonb(t)
           || jsonb_build_object('id', gen_random_uuid(), 'status', 'queued', 'agent_id', null,
                'assigned_at', null, 'completed_at', null, 'created_at', now()))).*
         from (select * from tasks order by created_at desc limit 1) t`,
      );
      // The agent read finds the locked agents under the lock statement's token (claim.ts); it
      // rides behind the lock in one write, unseen by the hook above once prepared, so the read
      // seen last may be from another call: it is run under the token of the lock run here.
      const token = last.get(WATCHED[0]!)?.values[3];
      for (const [key, s] of last) {
        const values = key === WATCHED[1] && token ? [token, ...s.values.slice(1)] : s.values;
        const plan = await q<{ 'QUERY PLAN': string }>(
          `explain (analyze, buffers) ${s.text}`,
          values,
        );
        console.log(`=== ${key}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n`);
      }
      throw new Error('rolled back');
    })
    .catch((err: Error) => {
      if (err.message !== 'rolled back') throw err;
    });
} finally {
  await stop();
}
