import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';
import { ensureSipAccount, ha1ForUser, sipHa1 } from '../../../src/hub/telephony/sip-accounts.js';

/** Migration 5 (telephony): SIP accounts (HA1 only) and the call log on a version-4 database. */
describe('hub migration 5 (telephony)', () => {
  it('upgrades a version-4 database with agents and gives them SIP accounts on first use', async () => {
    const db = await openPglite(undefined);
    try {
      await migrate(db, { targetVersion: 4 });
      const [agent] = await db.query<{ id: string }>(
        `insert into agents (login, name, password_hash, roles) values ('Jan.Nowak', 'Jan', 'h', '{agent}')
         returning id`,
      );
      expect(await migrate(db)).toContain(5);

      const account = await db.transaction((q) =>
        ensureSipAccount(q, { id: agent!.id, login: 'Jan.Nowak' }, 'sip.example.com'),
      );
      expect(account.username).toBe('jan.nowak');
      expect(account.ha1).toMatch(/^[0-9a-f]{32}$/);
      // Only the HA1 is kept: no column could hold the secret.
      const columns = await db.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_name = 'sip_accounts'`,
      );
      expect(columns.map((c) => c.column_name).sort()).toEqual(
        ['agent_id', 'created_at', 'domain', 'enabled', 'ha1', 'username'].sort(),
      );
      expect(await ha1ForUser(db.query, 'jan.nowak', 'sip.example.com')).toBe(account.ha1);
      expect(await ha1ForUser(db.query, 'jan.nowak', 'other.example.com')).toBeNull();

      // Same domain again: the account is kept; a new domain (realm) re-keys it.
      const again = await db.transaction((q) =>
        ensureSipAccount(q, { id: agent!.id, login: 'Jan.Nowak' }, 'sip.example.com'),
      );
      expect(again.ha1).toBe(account.ha1);
      const moved = await db.transaction((q) =>
        ensureSipAccount(q, { id: agent!.id, login: 'Jan.Nowak' }, 'sip2.example.com'),
      );
      expect(moved.ha1).not.toBe(account.ha1);

      // HA1 = md5(user:realm:secret), as Kamailio and sip.js compute it.
      expect(sipHa1('agent1', 'concierge.local', 'pw')).toBe('c4802177bd1dd3920bf341bdfc1c457d');

      await db.query(
        `insert into calls (call_id, queue_name, from_number, state, entered_at) values ('c1', 'orders', '+48600', 'waiting', now())`,
      );
      await expect(
        db.query(
          `insert into calls (call_id, queue_name, from_number, state, entered_at) values ('c1', 'orders', '+48600', 'waiting', now())`,
        ),
      ).rejects.toThrow(); // one row per SIP Call-ID
    } finally {
      await db.close();
    }
  });
});
