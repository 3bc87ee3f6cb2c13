import { afterEach, describe, expect, it } from 'vitest';
import { type HubEvent } from '../../shared/api/index.js';
import { type Db, type Query } from '../db/db.js';
import { EventFeed } from './feed.js';

const event = (id: number): HubEvent => ({
  id,
  type: 'message.received',
  occurredAt: '2026-11-22T09:00:00.000Z',
  agentId: null,
  ticketId: null,
  taskId: null,
  queueId: null,
  data: {},
});

/** The event table in memory: what `eventsAfter` and `lastEventId` read, and how often. */
function fakeDb(committed: HubEvent[]) {
  const reads: number[] = [];
  const query = (async (sql: string, params: readonly unknown[] = []) => {
    if (sql.includes('max(id)')) return [{ id: Math.max(0, ...committed.map((e) => e.id)) }];
    const after = Number(params[0]);
    reads.push(after);
    return committed
      .filter((e) => e.id > after)
      .sort((a, b) => a.id - b.id)
      .map((e) => ({
        id: e.id,
        type: e.type,
        occurred_at: e.occurredAt,
        agent_id: null,
        ticket_id: null,
        task_id: null,
        queue_id: null,
        data: {},
      }));
  }) as Query;
  const db = {
    kind: 'postgres',
    query,
    transaction: () => Promise.reject(new Error('not used')),
    listen: async () => async () => undefined,
    close: async () => undefined,
  } satisfies Db;
  return { db, reads, committed };
}

const log = { info: () => {}, warn: () => {}, error: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let feed: EventFeed | undefined;
afterEach(async () => feed?.stop());

async function started(committed: HubEvent[]) {
  const fake = fakeDb(committed);
  feed = new EventFeed(fake.db, log);
  await feed.start(60_000);
  const seen: number[] = [];
  feed.subscribe((e) => seen.push(e.id));
  return { ...fake, feed, seen };
}

describe('the event feed', () => {
  it("delivers this hub's own commits in id order without reading them back", async () => {
    const { feed, seen, reads, committed } = await started([event(1)]);
    committed.push(event(2), event(3));
    feed.publish([event(2), event(3)]);
    expect(seen).toEqual([2, 3]);
    expect(reads).toEqual([]);
  });

  it('holds events above a gap until the local commit below them is published', async () => {
    const { feed, seen, reads, committed } = await started([event(1)]);
    committed.push(event(2), event(3), event(4));
    feed.publish([event(4)]); // committed after 2–3, published first
    expect(seen).toEqual([]);
    feed.publish([event(2), event(3)]);
    expect(seen).toEqual([2, 3, 4]);
    await sleep(20);
    expect(reads).toEqual([]); // the gap closed in time: no read
  });

  it("reads the table when the gap stays open (another hub's commit)", async () => {
    const { feed, seen, reads, committed } = await started([event(1)]);
    committed.push(event(2), event(3)); // 2 came from another hub: never published here
    feed.publish([event(3)]);
    await sleep(30);
    expect(seen).toEqual([2, 3]);
    expect(reads).toEqual([1]);
  });

  it('never delivers an event twice when a read and a publish overlap', async () => {
    const { feed, seen, committed } = await started([event(1)]);
    committed.push(event(2), event(3));
    feed.wake(); // a NOTIFY: the drain reads 2 and 3
    feed.publish([event(2), event(3)]);
    await sleep(20);
    expect(seen).toEqual([2, 3]);
  });
});
