import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Db } from '../db/db.js';
import { type Log } from '../log.js';
import { type Buffered, type EvapiBuffer } from './evapi-buffer.js';

/** The owner asks the other hubs for what Kamailio sent while its own socket was down. */
export const GAP_REQUEST_CHANNEL = 'concierge_evapi_gap';
/** A hub has written its part of the answer into `evapi_gap` (migration 9). */
export const GAP_REPLY_CHANNEL = 'concierge_evapi_gap_reply';

const GapRequest = z.object({
  requestId: z.uuid(),
  hubId: z.string(),
  /** The window, ms since the epoch (the asking hub's clock, with a margin either side). */
  from: z.number(),
  to: z.number(),
});
type GapRequest = z.infer<typeof GapRequest>;

const GapReply = z.object({ requestId: z.uuid(), hubId: z.string(), count: z.number().int() });
type GapReply = z.infer<typeof GapReply>;

export interface GapMessage {
  at: number;
  message: unknown;
}

export interface GapResult {
  requestId: string;
  /** Hubs that answered (with or without messages). */
  replies: number;
  /** Rows they wrote (the same message from several hubs counts for each). */
  rows: number;
  /** What this hub did not receive itself, de-duplicated, oldest first. */
  messages: GapMessage[];
}

export interface EvapiGapOptions {
  db: Db;
  log: Log;
  hubId: string;
  buffer: EvapiBuffer;
  /** How long the owner waits for answers at most (ms, default 1 s). */
  waitMs?: number;
  /** After an answer, the owner stops waiting when no other comes within this time (ms). */
  quietMs?: number;
}

/**
 * Kamailio broadcasts to whoever is connected: what it sends while the owner's own socket is down
 * (a network blip; Kamailio keeps running) reaches only the standbys. When the owner is back it
 * asks them (NOTIFY on GAP_REQUEST_CHANNEL with the window); each hub writes what its buffer holds
 * in that window into `evapi_gap` and NOTIFYs GAP_REPLY_CHANNEL (also with nothing, so the owner
 * stops waiting early); the owner reads the rows, deletes them and keeps what it lacks itself.
 * PostgreSQL only: on PGlite there is a single hub.
 */
export class EvapiGap {
  private readonly unlisten: (() => Promise<void>)[] = [];
  private readonly waiting = new Map<string, (reply: GapReply) => void>();

  constructor(private readonly opts: EvapiGapOptions) {}

  async start(): Promise<void> {
    const { db } = this.opts;
    this.unlisten.push(await db.listen(GAP_REQUEST_CHANNEL, (p) => this.onRequest(p)));
    this.unlisten.push(await db.listen(GAP_REPLY_CHANNEL, (p) => this.onReply(p)));
  }

  async stop(): Promise<void> {
    for (const u of this.unlisten.splice(0)) await u().catch(() => undefined);
  }

  /**
   * Asks the other hubs for Kamailio's messages between `from` and `to` and returns those this
   * hub's own buffer lacks (`own`, asked after the answers: its messages of the window —
   * handled before the loss, or received since the reconnection and handled after this).
   */
  async request(from: number, to: number, own: () => Buffered[]): Promise<GapResult> {
    const { db, hubId } = this.opts;
    const requestId = randomUUID();
    let replies = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let quiet: NodeJS.Timeout | undefined;
    const total = setTimeout(finish, this.opts.waitMs ?? 1000);
    this.waiting.set(requestId, () => {
      replies++;
      clearTimeout(quiet);
      quiet = setTimeout(finish, this.opts.quietMs ?? 150);
    });
    try {
      const request: GapRequest = { requestId, hubId, from, to };
      await db.query('select pg_notify($1, $2)', [GAP_REQUEST_CHANNEL, JSON.stringify(request)]);
      await finished;
    } finally {
      clearTimeout(total);
      clearTimeout(quiet);
      this.waiting.delete(requestId);
    }
    const rows = await db.query<GapRow>(
      `select hub_id, seq, at, message from evapi_gap where request_id = $1 order by hub_id, seq`,
      [requestId],
    );
    // Ours, and whatever an owner that died before deleting its rows left behind.
    await db.query(
      `delete from evapi_gap where request_id = $1 or created_at < now() - interval '10 minutes'`,
      [requestId],
    );
    return { requestId, replies, rows: rows.length, messages: mergeGap(rows, own()) };
  }

  private onReply(payload: string): void {
    if (!payload) return; // the listener reconnected: nothing to look for
    const reply = parse(GapReply, payload);
    if (reply) this.waiting.get(reply.requestId)?.(reply);
  }

  private onRequest(payload: string): void {
    if (!payload) return;
    const request = parse(GapRequest, payload);
    if (!request || request.hubId === this.opts.hubId) return;
    this.answer(request).catch((err: unknown) =>
      this.opts.log.error({ err, requestId: request.requestId }, 'telephony: evapi gap not sent'),
    );
  }

  /** A standby's part: its buffered messages of the window, then the reply (one statement). */
  private async answer(request: GapRequest): Promise<void> {
    const { db, hubId, buffer } = this.opts;
    const items = buffer.between(request.from, request.to).map((b) => ({
      seq: b.seq,
      at: new Date(b.at).toISOString(),
      message: b.message,
    }));
    const reply: GapReply = { requestId: request.requestId, hubId, count: items.length };
    await db.query(
      `with ins as (
         insert into evapi_gap (request_id, hub_id, seq, at, message)
         select $1, $2, (x->>'seq')::int, (x->>'at')::timestamptz, x->'message'
         from jsonb_array_elements($3::jsonb) x
         returning 1
       )
       select pg_notify($4, $5) from (select count(*) from ins) n`,
      [request.requestId, hubId, JSON.stringify(items), GAP_REPLY_CHANNEL, JSON.stringify(reply)],
    );
    if (items.length > 0)
      this.opts.log.info(
        { requestId: request.requestId, messages: items.length },
        'telephony: evapi messages sent to the owner after its blip',
      );
  }
}

interface GapRow {
  [key: string]: unknown;
  hub_id: string;
  seq: number;
  at: Date | string;
  message: unknown;
}

function parse<T>(schema: z.ZodType<T>, payload: string): T | null {
  try {
    const r = schema.safeParse(JSON.parse(payload));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** JSON with object keys sorted: a message read back from jsonb compares equal to the original. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hubs' rows as one list: a message several hubs report is kept once (the n-th copy of the
 * same text in one hub's list is the n-th message: Kamailio may send the same text twice), and
 * what `own` holds is left out. The most complete hub's order and times come first; the result is
 * sorted by time.
 */
export function mergeGap(rows: GapRow[], own: readonly { message: unknown }[]): GapMessage[] {
  const byHub = new Map<string, GapRow[]>();
  for (const r of rows) {
    const list = byHub.get(r.hub_id) ?? [];
    list.push(r);
    byHub.set(r.hub_id, list);
  }
  const lists = [...byHub.values()]
    .map((l) => l.sort((a, b) => Number(a.seq) - Number(b.seq)))
    .sort((a, b) => b.length - a.length);
  const occurrences = (list: readonly { message: unknown }[]) => {
    const n = new Map<string, number>();
    return list.map((r) => {
      const text = canonical(r.message);
      const k = (n.get(text) ?? 0) + 1;
      n.set(text, k);
      return `${k}:${text}`;
    });
  };
  const have = new Set(occurrences(own));
  const kept = new Map<string, GapMessage & { order: number }>();
  let order = 0;
  for (const list of lists) {
    const ids = occurrences(list);
    list.forEach((r, i) => {
      const id = ids[i]!;
      if (have.has(id) || kept.has(id)) return;
      kept.set(id, { at: new Date(r.at).getTime(), message: r.message, order: order++ });
    });
  }
  return [...kept.values()]
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map(({ at, message }) => ({ at, message }));
}
