import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';

/** Migration 7: the Kamailio instance a call's transaction lives on, on a version-6 call log. */
describe('hub migration 7 (Kamailio instance of a call)', () => {
  it('keeps the calls of a version-6 database without an instance; new calls carry one', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 6 });
      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at, tindex, tlabel, caller_tag)
         values ('old-call', 'orders', '+48600100200', 'waiting', now(), 12, 34, 'tag-old')`,
      );
      expect(await migrate(db, { targetVersion: 7 })).toEqual([7]);

      // A call from before the migration has no instance: a new owner resumes it as before.
      const [old] = await db.query<Record<string, unknown>>(
        `select tindex, tlabel, caller_tag, kamailio_instance from calls where call_id = 'old-call'`,
      );
      expect(old).toEqual({
        tindex: 12,
        tlabel: 34,
        caller_tag: 'tag-old',
        kamailio_instance: null,
      });

      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at, tindex, tlabel, caller_tag,
           kamailio_instance)
         values ('new-call', 'orders', '+48600100201', 'waiting', now(), 4711, 815, 'a1b2', '1700000000-4242')`,
      );
      // What the hub does when it rings a call: a row without an instance gets the current one.
      await db.query(
        `update calls set kamailio_instance = coalesce(kamailio_instance, $1) where state <> 'ended'`,
        ['1700000099-4243'],
      );
      const live = await db.query<{ call_id: string; kamailio_instance: string }>(
        `select call_id, kamailio_instance from calls where state <> 'ended' order by call_id`,
      );
      expect(live).toEqual([
        { call_id: 'new-call', kamailio_instance: '1700000000-4242' },
        { call_id: 'old-call', kamailio_instance: '1700000099-4243' },
      ]);
      expect(await migrate(db)).toEqual([8, 9, 10, 11, 12, 13]);
    } finally {
      await db.close();
    }
  });
});
