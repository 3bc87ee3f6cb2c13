import { type QueueSettings } from '../../shared/api/index.js';
import {
  type BusinessHours,
  type Channel,
  type Queue,
  type QueueMode,
  type SkillLevels,
} from '../../shared/domain/index.js';
import { type Query, type Row, type Statement } from '../db/db.js';
import { HubError } from '../errors.js';

/** Offer timeout when the queue names none for the channel: calls ring shorter than tickets. */
export const DEFAULT_OFFER_TIMEOUT_S: Readonly<Record<Channel, number>> = {
  voice: 20,
  callback: 30,
  chat: 45,
  messenger: 60,
  email: 120,
  api: 120,
};

export interface QueueRow {
  [key: string]: unknown;
  id: string;
  name: string;
  channels: Channel[];
  priority: number;
  language: string | null;
  required_skills: SkillLevels;
  offer_timeouts: Partial<Record<Channel, number>>;
  auto_accept: Channel[];
  wrap_up_seconds: number;
  topic_required: boolean;
  topics: string[];
  service_level_seconds: number;
  short_abandon_seconds: number;
  sla_first_response_seconds: number | null;
  business_hours: BusinessHours | null;
  max_wait_seconds: number | null;
  max_queued: number | null;
  mode: QueueMode;
}

export function queue(row: QueueRow): Queue {
  return {
    id: row.id,
    name: row.name,
    channels: row.channels,
    priority: Number(row.priority),
    language: row.language,
    requiredSkills: row.required_skills ?? {},
    offerTimeouts: row.offer_timeouts ?? {},
    autoAccept: row.auto_accept ?? [],
    wrapUpSeconds: Number(row.wrap_up_seconds),
    topicRequired: row.topic_required,
    topics: row.topics ?? [],
    serviceLevelSeconds: Number(row.service_level_seconds),
    shortAbandonSeconds: Number(row.short_abandon_seconds),
    slaFirstResponseSeconds: row.sla_first_response_seconds,
    businessHours: row.business_hours,
    maxWaitSeconds: row.max_wait_seconds,
    maxQueued: row.max_queued,
    mode: row.mode,
  };
}

export function offerTimeoutSeconds(
  row: Pick<QueueRow, 'offer_timeouts'>,
  channel: Channel,
): number {
  return row.offer_timeouts?.[channel] ?? DEFAULT_OFFER_TIMEOUT_S[channel];
}

export async function listQueues(q: Query): Promise<Queue[]> {
  const rows = await q<QueueRow>('select * from queues order by priority desc, name');
  return rows.map(queue);
}

export async function queueRow(q: Query, id: string): Promise<QueueRow | undefined> {
  return (await q<QueueRow>('select * from queues where id = $1', [id]))[0];
}

/**
 * The read of the queue an inbound message goes to: the named one, or the channel's default — the
 * highest-priority queue serving that channel. Undefined when no queue serves the channel.
 */
export function queueLookup(channel: Channel, name: string | undefined): Statement {
  return name !== undefined
    ? { text: 'select * from queues where name = $1', values: [name] }
    : {
        text: 'select * from queues where $1 = any(channels) order by priority desc, name limit 1',
        values: [channel],
      };
}

/** The queue from the rows of `queueLookup(…, name)`; an unknown named queue is a bad request. */
export function queueFrom(rows: readonly Row[], name: string | undefined): QueueRow | undefined {
  if (name !== undefined && !rows[0]) throw new HubError('bad_request', `unknown queue "${name}"`);
  return rows[0] as QueueRow | undefined;
}

/** Column ← setting. JSON columns are written as jsonb. */
const COLUMNS: Record<keyof QueueSettings, [string, 'plain' | 'json' | 'text[]']> = {
  name: ['name', 'plain'],
  channels: ['channels', 'text[]'],
  priority: ['priority', 'plain'],
  language: ['language', 'plain'],
  requiredSkills: ['required_skills', 'json'],
  offerTimeouts: ['offer_timeouts', 'json'],
  autoAccept: ['auto_accept', 'text[]'],
  wrapUpSeconds: ['wrap_up_seconds', 'plain'],
  topicRequired: ['topic_required', 'plain'],
  topics: ['topics', 'text[]'],
  serviceLevelSeconds: ['service_level_seconds', 'plain'],
  shortAbandonSeconds: ['short_abandon_seconds', 'plain'],
  slaFirstResponseSeconds: ['sla_first_response_seconds', 'plain'],
  businessHours: ['business_hours', 'json'],
  maxWaitSeconds: ['max_wait_seconds', 'plain'],
  maxQueued: ['max_queued', 'plain'],
  mode: ['mode', 'plain'],
};

function assignments(
  settings: QueueSettings,
  offset: number,
): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(settings) as [keyof QueueSettings, unknown][]) {
    if (value === undefined) continue;
    const [column, kind] = COLUMNS[key];
    params.push(kind === 'json' && value !== null ? JSON.stringify(value) : value);
    const p = `$${offset + params.length}`;
    sql.push(
      `${column} = ${kind === 'json' ? `${p}::jsonb` : kind === 'text[]' ? `${p}::text[]` : p}`,
    );
  }
  return { sql, params };
}

/**
 * Creates a queue, or returns the existing one with that name unchanged (seeding twice must not
 * reset settings an admin changed).
 */
export async function createQueue(
  q: Query,
  input: QueueSettings & { name: string; channels: Channel[] },
): Promise<Queue> {
  const existing = await q<QueueRow>('select * from queues where name = $1', [input.name]);
  if (existing[0]) return queue(existing[0]);
  const rows = await q<QueueRow>(
    `insert into queues (name, channels, priority) values ($1, $2::text[], $3)
     on conflict (name) do update set name = excluded.name returning *`,
    [input.name, input.channels, input.priority ?? 0],
  );
  const rest: QueueSettings = { ...input };
  delete rest.name;
  delete rest.channels;
  delete rest.priority;
  if (Object.keys(rest).length === 0) return queue(rows[0]!);
  return updateQueue(q, rows[0]!.id, rest);
}

export async function updateQueue(q: Query, id: string, settings: QueueSettings): Promise<Queue> {
  const { sql, params } = assignments(settings, 1);
  if (sql.length === 0) {
    const row = await queueRow(q, id);
    if (!row) throw new HubError('not_found', 'queue not found');
    return queue(row);
  }
  const rows = await q<QueueRow>(`update queues set ${sql.join(', ')} where id = $1 returning *`, [
    id,
    ...params,
  ]);
  if (!rows[0]) throw new HubError('not_found', 'queue not found');
  return queue(rows[0]);
}
