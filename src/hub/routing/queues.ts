import { type Channel, type Queue } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { HubError } from '../errors.js';

interface QueueRow {
  [key: string]: unknown;
  id: string;
  name: string;
  channels: Channel[];
  priority: number;
}

function queue(row: QueueRow): Queue {
  return { id: row.id, name: row.name, channels: row.channels, priority: Number(row.priority) };
}

export async function listQueues(q: Query): Promise<Queue[]> {
  const rows = await q<QueueRow>('select * from queues order by priority desc, name');
  return rows.map(queue);
}

/**
 * The queue an inbound message goes to: the named one, or the channel's default — the
 * highest-priority queue serving that channel. Undefined when no queue serves the channel.
 */
export async function resolveQueue(
  q: Query,
  channel: Channel,
  name: string | undefined,
): Promise<Queue | undefined> {
  if (name !== undefined) {
    const rows = await q<QueueRow>('select * from queues where name = $1', [name]);
    if (!rows[0]) throw new HubError('bad_request', `unknown queue "${name}"`);
    return queue(rows[0]);
  }
  const rows = await q<QueueRow>(
    'select * from queues where $1 = any(channels) order by priority desc, name limit 1',
    [channel],
  );
  return rows[0] ? queue(rows[0]) : undefined;
}

export async function createQueue(
  q: Query,
  input: { name: string; channels: Channel[]; priority?: number },
): Promise<Queue> {
  const rows = await q<QueueRow>(
    `insert into queues (name, channels, priority) values ($1, $2::text[], $3)
     on conflict (name) do update set name = excluded.name returning *`,
    [input.name, input.channels, input.priority ?? 0],
  );
  return queue(rows[0]!);
}
