import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';

/** Migration 9: the rows standbys write for an owner that missed Kamailio's messages in a blip. */
describe('hub migration 9 (evapi gap)', () => {
  it('adds evapi_gap to a version-8 database; rows keep their message and are keyed per hub', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 8 });
      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at, tindex, tlabel, caller_tag)
         values ('old-call', 'orders', '+48600100200', 'waiting', now(), 12, 34, 'tag-old')`,
      );
      expect(await migrate(db)).toEqual([9, 10, 11, 12, 13]);

      const request = '2f1c6a52-6f0e-4d3a-9d6b-3c2b0f3e9a11';
      const message = { event: 'cancel', callid: 'old-call' };
      await db.query(
        `insert into evapi_gap (request_id, hub_id, seq, at, message)
         select $1, $2, (x->>'seq')::int, (x->>'at')::timestamptz, x->'message'
         from jsonb_array_elements($3::jsonb) x`,
        [request, 'hub-b', JSON.stringify([{ seq: 5, at: '2026-01-01T10:00:00.250Z', message }])],
      );
      // Another standby may report the same message: one row per hub and sequence number.
      await db.query(
        `insert into evapi_gap (request_id, hub_id, seq, at, message) values ($1, 'hub-c', 5, now(), $2)`,
        [request, JSON.stringify(message)],
      );
      await expect(
        db.query(
          `insert into evapi_gap (request_id, hub_id, seq, at, message) values ($1, 'hub-b', 5, now(), '{}')`,
          [request],
        ),
      ).rejects.toThrow();
      const rows = await db.query<{ hub_id: string; seq: number; at: Date; message: unknown }>(
        `select hub_id, seq, at, message from evapi_gap where request_id = $1 order by hub_id`,
        [request],
      );
      expect(rows.map((r) => [r.hub_id, r.seq, r.message])).toEqual([
        ['hub-b', 5, message],
        ['hub-c', 5, message],
      ]);
      expect(new Date(rows[0]!.at).toISOString()).toBe('2026-01-01T10:00:00.250Z');
      // The calls of a version-8 database are untouched.
      expect(await db.query(`select call_id from calls`)).toEqual([{ call_id: 'old-call' }]);
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
