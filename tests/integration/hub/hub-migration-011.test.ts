import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';

/**
 * Migration 11: a statement that writes a message's ticket_version or a ticket's assignee_version
 * itself is left alone by the deferred triggers of migration 4, which still fill in for the rest.
 */
describe('hub migration 11 (versions in writes)', () => {
  it('keeps versions a writer set and still records the final version for the others', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 10 });
      const [customer] = await db.query<{ id: string }>(
        `insert into customers (name) values ('Ewa') returning id`,
      );
      const [agent] = await db.query<{ id: string }>(
        `insert into agents (login, name, password_hash, roles) values ('ola', 'Ola', 'x', '{agent}')
         returning id`,
      );
      const [ticket] = await db.query<{ id: string }>(
        `insert into tickets (subject, channel, customer_id, version) values ('T', 'email', $1, 1)
         returning id`,
        [customer!.id],
      );
      expect(await migrate(db, { targetVersion: 11 })).toEqual([11]);
      const versions = async () =>
        (
          await db.query<{ version: number; assignee_version: number }>(
            'select version, assignee_version from tickets where id = $1',
            [ticket!.id],
          )
        )[0]!;
      const messageVersion = async (text: string) =>
        (
          await db.query<{ ticket_version: number | null }>(
            'select ticket_version from messages where text = $1',
            [text],
          )
        )[0]!.ticket_version;

      // Set by the writer, then the version moves on in the same transaction: the writer's value
      // stays (the trigger would have written the final version, 3).
      await db.transaction(async (q) => {
        await q(
          `update tickets set assignee_id = $2, version = version + 1,
             assignee_version = version + 1 where id = $1`,
          [ticket!.id, agent!.id],
        );
        await q(
          `insert into messages (ticket_id, channel, direction, text, ticket_version)
           values ($1, 'email', 'in', 'set', 2)`,
          [ticket!.id],
        );
        await q('update tickets set version = version + 1 where id = $1', [ticket!.id]);
      });
      expect(await versions()).toEqual({ version: 3, assignee_version: 2 });
      expect(await messageVersion('set')).toBe(2);

      // Not set by the writer: the final version of the transaction, as before.
      await db.transaction(async (q) => {
        await q('update tickets set assignee_id = null where id = $1', [ticket!.id]);
        await q(
          `insert into messages (ticket_id, channel, direction, text) values ($1, 'email', 'in', 'unset')`,
          [ticket!.id],
        );
        await q('update tickets set version = version + 2 where id = $1', [ticket!.id]);
      });
      expect(await versions()).toEqual({ version: 5, assignee_version: 5 });
      expect(await messageVersion('unset')).toBe(5);
    } finally {
      await db.close();
    }
  });
});
