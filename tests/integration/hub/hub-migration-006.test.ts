import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';

/** Migration 6 (call takeover): Kamailio's transaction ids and the caller's tag on a version-5 log. */
describe('hub migration 6 (call takeover)', () => {
  it('keeps the calls of a version-5 database and lets new calls carry what a takeover needs', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 5 });
      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at)
         values ('old-call', 'orders', '+48600100200', 'waiting', now())`,
      );
      expect(await migrate(db)).toContain(6);

      // A call from before the migration is kept; it has no transaction ids, so a new evapi
      // owner cannot resume it (call-resume ends it as proxy_lost).
      const [old] = await db.query<{ tindex: number | null; caller_tag: string | null }>(
        `select tindex, tlabel, caller_tag from calls where call_id = 'old-call'`,
      );
      expect(old).toEqual({ tindex: null, tlabel: null, caller_tag: null });

      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at, tindex, tlabel, caller_tag)
         values ('new-call', 'orders', '+48600100201', 'ringing', now(), 4711, 815, 'a1b2')`,
      );
      const live = await db.query<{ call_id: string; tindex: number; tlabel: number }>(
        `select call_id, tindex, tlabel from calls where state <> 'ended' order by call_id`,
      );
      expect(live).toEqual([
        { call_id: 'new-call', tindex: 4711, tlabel: 815 },
        { call_id: 'old-call', tindex: null, tlabel: null },
      ]);
      const indexes = await db.query<{ indexname: string }>(
        `select indexname from pg_indexes where tablename = 'calls'`,
      );
      expect(indexes.map((i) => i.indexname)).toContain('calls_live_idx');
    } finally {
      await db.close();
    }
  });
});
