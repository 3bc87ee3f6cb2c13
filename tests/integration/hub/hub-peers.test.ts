import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubEvent } from '../../../src/shared/api/index.js';
import { appendEvents, EVENTS_CHANNEL } from '../../../src/hub/events/append.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/wait.js';

/**
 * A lone hub does not NOTIFY its commits (it delivers them in process); once a second hub joins
 * the database, both do, and each hub's streams get the other's events at once — with the slow
 * poll set to a minute, only the NOTIFY can deliver them.
 */
const available = requirePostgres('hub peers on PostgreSQL');
let server: TestPostgres | undefined;
beforeAll(async () => {
  if (available) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const login = (hub: RunningHub, n: number) =>
  hub.ctx.tx((q) => appendEvents(q, [{ type: 'agent.login', data: { n } }]));

describe.skipIf(!available)('hubs on one PostgreSQL', () => {
  it('a lone hub commits without NOTIFY; with a second hub both notify and see each other at once', async () => {
    const url = await server!.createDatabase();
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (m) => {
      if (m.channel === EVENTS_CHANNEL) notified.push(m.payload ?? '');
    });
    await listener.query(`listen ${EVENTS_CHANNEL}`);
    const opts = { databaseUrl: url, feedPollMs: 60_000, routingSweepMs: 60_000 };
    const a = await startHub(opts);
    let b: RunningHub | undefined;
    try {
      const seenByA: HubEvent[] = [];
      a.ctx.feed.subscribe((e) => seenByA.push(e));
      for (let i = 0; i < 5; i++) await login(a, i);
      await waitFor(() => seenByA.length === 5, 'A delivers its own events', 3000);
      await sleep(200);
      expect(notified).toEqual([]);

      b = await startHub(opts);
      const seenByB: HubEvent[] = [];
      b.ctx.feed.subscribe((e) => seenByB.push(e));
      // A hears B's hello and from then on notifies; B hears A's answer.
      await waitFor(
        () => {
          void login(a, 100);
          return seenByB.find((e) => e.data.n === 100);
        },
        'A notifies once B is known',
        3000,
      );
      await login(a, 200);
      const t0 = Date.now();
      await waitFor(() => seenByB.find((e) => e.data.n === 200), 'B gets A’s event', 1000);
      await login(b, 300);
      await waitFor(() => seenByA.find((e) => e.data.n === 300), 'A gets B’s event', 1000);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(notified.length).toBeGreaterThan(0);
      // Every event once, in order, on both hubs.
      const ids = (xs: HubEvent[]) => xs.map((e) => e.id);
      expect(new Set(ids(seenByA)).size).toBe(seenByA.length);
      expect(ids(seenByA)).toEqual([...ids(seenByA)].sort((x, y) => x - y));
      expect(ids(seenByB)).toEqual([...ids(seenByB)].sort((x, y) => x - y));
    } finally {
      await b?.close();
      await a.close();
      await listener.end();
    }
  });
});
