/**
 * Where the time of one task goes on an idle hub: `npx tsx bench/routing-timeline.ts`. One hub in
 * this process on PostgreSQL, 200 agents with streams open; 60 inbound messages one at a time
 * (150 ms apart, so nothing queues). For the last three it prints when each statement was sent
 * to / answered by PostgreSQL, relative to the POST, and when the offer frame reached the stream;
 * then the latency's p50, min and max. The bench's client shares this process (and its event
 * loop) with the hub: read the gaps, not the absolute figures.
 */
import pg from 'pg';
import { inProcessHub, postInbound } from './in-process-hub.js';

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

const { hub, agents, stop } = await inProcessHub(AGENTS, 3);
try {
  let onOffer: (() => void) | undefined;
  for (const { stream } of agents) {
    stream.on('message', (d) => {
      if (!String(d).includes('"offer.created"')) return;
      mark('offer.created frame on the stream');
      onOffer?.();
    });
  }
  const latency: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    await new Promise((r) => setTimeout(r, 150));
    marks.length = 0;
    const offered = new Promise<void>((r) => (onOffer = r));
    t0 = performance.now();
    mark('POST /api/v1/inbound/messages');
    const answered = postInbound(hub.url, i).then(() => mark('POST answered'));
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
  await stop();
}
