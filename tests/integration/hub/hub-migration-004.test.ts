import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';

/** Migration 4 (reply conflicts): visibility versions are the committing transaction's final ones. */
describe('hub migration 4 (reply-conflicts)', () => {
  it('upgrades a version-3 database with data and records versions at commit', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 3 });
      const [customer] = await db.query<{ id: string }>(
        `insert into customers (name) values ('Ewa') returning id`,
      );
      const [ticket] = await db.query<{ id: string }>(
        `insert into tickets (subject, channel, customer_id, version) values ('Old', 'email', $1, 2)
         returning id`,
        [customer!.id],
      );
      await db.query(
        `insert into messages (ticket_id, channel, direction, text) values ($1, 'email', 'in', 'old')`,
        [ticket!.id],
      );
      expect(await migrate(db)).toContain(4);
      const [old] = await db.query<{ ticket_version: number | null }>(
        'select ticket_version from messages where ticket_id = $1',
        [ticket!.id],
      );
      expect(old!.ticket_version).toBeNull(); // counts as 0: visible at every version

      // Message first, version bump after, in one transaction: visible at the final version.
      await db.transaction(async (q) => {
        await q(
          `insert into messages (ticket_id, channel, direction, text) values ($1, 'email', 'in', 'new')`,
          [ticket!.id],
        );
        await q('update tickets set version = version + 1 where id = $1', [ticket!.id]);
        await q('update tickets set version = version + 1 where id = $1', [ticket!.id]);
      });
      const [fresh] = await db.query<{ ticket_version: number }>(
        `select ticket_version from messages where ticket_id = $1 and text = 'new'`,
        [ticket!.id],
      );
      expect(fresh!.ticket_version).toBe(4);

      const [agent] = await db.query<{ id: string }>(
        `insert into agents (login, name, password_hash, roles) values ('x', 'X', 'h', '{agent}') returning id`,
      );
      await db.transaction(async (q) => {
        await q('update tickets set assignee_id = $2 where id = $1', [ticket!.id, agent!.id]);
        await q('update tickets set version = version + 1 where id = $1', [ticket!.id]);
      });
      const [row] = await db.query<{ assignee_version: number; version: number }>(
        'select assignee_version, version from tickets where id = $1',
        [ticket!.id],
      );
      expect(row).toEqual({ assignee_version: 5, version: 5 });
      const [horizon] = await db.query<{ pruned_through: string }>(
        'select pruned_through from event_retention',
      );
      expect(Number(horizon!.pruned_through)).toBe(0);
    } finally {
      await db.close();
    }
  });
});
