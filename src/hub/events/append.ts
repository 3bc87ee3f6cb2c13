import { type EventType, type HubEvent } from '../../shared/api/index.js';
import {
  type Db,
  pipelineOf,
  type Query,
  type Row,
  type Statement,
  withPipeline,
} from '../db/db.js';
import { iso } from '../time.js';
import { notifiesPeers } from './peers.js';

/** The NOTIFY channel that wakes every hub's event feed. */
export const EVENTS_CHANNEL = 'concierge_events';

/**
 * Serialises event inserts across transactions. Held until commit, it makes commit order equal
 * id order, so a reader that has seen id N can never later find a smaller id appear: the stream
 * resumes with `id > N` and misses nothing. Take it last in a transaction (after row locks).
 */
const EVENTS_LOCK = 727_002;

export interface NewEvent {
  type: EventType;
  agentId?: string | null;
  ticketId?: string | null;
  taskId?: string | null;
  queueId?: string | null;
  data?: Record<string, unknown>;
}

interface EventRow {
  [key: string]: unknown;
  id: number | string;
  type: EventType;
  occurred_at: Date | string;
  agent_id: string | null;
  ticket_id: string | null;
  task_id: string | null;
  queue_id: string | null;
  data: Record<string, unknown> | null;
}

export function hubEvent(row: EventRow): HubEvent {
  return {
    id: Number(row.id),
    type: row.type,
    occurredAt: iso(row.occurred_at),
    agentId: row.agent_id,
    ticketId: row.ticket_id,
    taskId: row.task_id,
    queueId: row.queue_id,
    data: row.data ?? {},
  };
}

/** Events waiting in a transaction for its final statement (see `eventTransaction`). */
const pending = new WeakMap<Query, NewEvent[]>();

/** The one statement that appends events and signals other hubs on commit. */
function appendStatement(
  events: readonly NewEvent[],
  notify: boolean,
): { text: string; values: unknown[]; json: string } {
  // The events travel as one JSON array (one JSON.stringify; PostgreSQL parses it once): as six
  // parallel arrays, pg escaped every quote of every payload into an array literal, the largest
  // single source of the hub's allocations. Ids are assigned in array order (`with ordinality`
  // keeps it), so the order the caller gave is the order in the log. The payload is only a hint;
  // readers query the table. The serialising lock is taken by a one-time filter before the first
  // row (and so the first id) is produced, and the NOTIFY rides on the same statement. Only the
  // ids and the time come back: the rest is what the caller gave (sending each payload back cost
  // the database its jsonb output and the hub a parse, per event).
  const json = JSON.stringify(
    events.map((e) => ({
      t: e.type,
      a: e.agentId ?? null,
      k: e.ticketId ?? null,
      s: e.taskId ?? null,
      q: e.queueId ?? null,
      d: e.data ?? {},
    })),
  );
  return {
    json,
    text: `with ins as (
       insert into events (type, agent_id, ticket_id, task_id, queue_id, data)
       select u.e ->> 't', (u.e ->> 'a')::uuid, (u.e ->> 'k')::uuid, (u.e ->> 's')::uuid,
         (u.e ->> 'q')::uuid, u.e -> 'd'
       from jsonb_array_elements($1::jsonb) with ordinality as u (e, n)
       where (select count(*) from (select pg_advisory_xact_lock($2)) l) = 1
       order by u.n
       returning id, occurred_at
     )
     select ins.id, ins.occurred_at,
       (case when $4::boolean then pg_notify($3, (select max(id) from ins)::text) end) is null
         as notified
     from ins`,
    values: [json, EVENTS_LOCK, EVENTS_CHANNEL, notify],
  };
}

/**
 * The appended events from the statement's answer: ids ascending are the events in the order
 * given (see `appendStatement`); data as stored, i.e. as JSON made it (`json`: what was sent).
 */
function appendedEvents(
  events: readonly NewEvent[],
  json: string,
  rows: readonly Row[],
): HubEvent[] {
  const inserted = rows
    .map((r) => ({ id: Number(r.id), at: iso(r.occurred_at as Date | string) }))
    .sort((a, b) => a.id - b.id);
  if (inserted.length !== events.length) {
    throw new Error(`appended ${inserted.length} of ${events.length} events`);
  }
  const sent = JSON.parse(json) as { d: Record<string, unknown> }[];
  return events.map((e, i) => ({
    id: inserted[i]!.id,
    type: e.type,
    occurredAt: inserted[i]!.at,
    agentId: e.agentId ?? null,
    ticketId: e.ticketId ?? null,
    taskId: e.taskId ?? null,
    queueId: e.queueId ?? null,
    data: sent[i]!.d,
  }));
}

/**
 * Runs `fn` in a transaction whose events are appended by its last statement, committed in the
 * same round trip on PostgreSQL: the event-order lock is then held for one round trip per
 * transaction instead of two or more, and a transaction saves the COMMIT's own round trip.
 * @returns fn's result and the events the transaction appended (real: it has committed)
 */
export async function eventTransaction<T>(
  db: Db,
  fn: (q: Query) => Promise<T>,
  opts: {
    /** A read to run right after the COMMIT (see `TransactionOptions.thenRead`), given the result. */
    thenRead?: (result: T) => Statement | undefined;
  } = {},
): Promise<{ result: T; appended: HubEvent[]; read?: Row[] }> {
  let events: NewEvent[] = [];
  let appended: HubEvent[] = [];
  let outcome: { value: T } | undefined;
  let read: Row[] | undefined;
  const result = await db.transaction(
    async (raw) => {
      events = [];
      const q: Query = withPipeline((sql, params) => raw(sql, params), pipelineOf(raw));
      pending.set(q, events);
      const value = await fn(q);
      outcome = { value };
      return value;
    },
    {
      final: () => {
        if (events.length === 0) return undefined;
        // The caller publishes these in process; other hubs (if any) need the NOTIFY.
        const { text, values, json } = appendStatement(events, notifiesPeers(db));
        const given = events;
        return {
          text,
          values,
          committed: (rows) => (appended = appendedEvents(given, json, rows)),
        };
      },
      thenRead: () => {
        const statement = outcome && opts.thenRead?.(outcome.value);
        return statement && { ...statement, read: (rows) => (read = rows) };
      },
    },
  );
  return { result, appended, read };
}

/**
 * Appends events in the caller's transaction. In an `eventTransaction` they are written by its
 * final statement, after everything else the transaction does (so after its row locks, as the
 * event-order lock requires); elsewhere at once, in one statement.
 */
export async function appendEvents(q: Query, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const waiting = pending.get(q);
  if (waiting) {
    waiting.push(...events);
    return;
  }
  // Nobody publishes these in process: the NOTIFY wakes this hub's feed too.
  const { text, values } = appendStatement(events, true);
  await q(text, values);
}

export async function lastEventId(q: Query): Promise<number> {
  const rows = await q<{ id: number | string | null }>('select max(id) as id from events');
  return Number(rows[0]?.id ?? 0);
}

/** Events after `afterId`, in id order. */
export async function eventsAfter(q: Query, afterId: number, limit: number): Promise<HubEvent[]> {
  const rows = await q<EventRow>('select * from events where id > $1 order by id limit $2', [
    afterId,
    limit,
  ]);
  return rows.map(hubEvent);
}
