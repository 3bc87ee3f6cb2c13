import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/hub/auth/password.js';
import { migrate } from '../../../src/hub/db/migrate.js';
import { openPglite } from '../../../src/hub/db/pglite.js';
import { TEST_SCRYPT_COST } from './harness.js';

describe('migration 3 (routing engine)', () => {
  it('upgrades a version-2 database with live routing data: states, queues and tasks keep working', async () => {
    const db = await openPglite(undefined);
    try {
      expect(await migrate(db, { targetVersion: 2 })).toEqual([1, 2]);
      const hash = await hashPassword('pw', TEST_SCRYPT_COST);
      const [agent] = await db.query<{ id: string }>(
        `insert into agents (login, name, password_hash, roles, state, state_reason, idle_since)
         values ('v2', 'Vee Two', $1, '{agent}', 'paused', 'lunch', now()) returning id`,
        [hash],
      );
      const [queue] = await db.query<{ id: string }>(
        `insert into queues (name, channels, priority) values ('old', '{email,chat}', 2) returning id`,
      );
      const [customer] = await db.query<{ id: string }>(
        `insert into customers (name) values ('C') returning id`,
      );
      const [ticket] = await db.query<{ id: string }>(
        `insert into tickets (subject, channel, queue_id, customer_id, assignee_id)
         values ('s', 'email', $1, $2, $3) returning id`,
        [queue!.id, customer!.id, agent!.id],
      );
      await db.query(
        `insert into tasks (ticket_id, queue_id, channel, status, agent_id, assigned_at)
         values ($1, $2, 'email', 'assigned', $3, now())`,
        [ticket!.id, queue!.id, agent!.id],
      );

      expect(await migrate(db)).toContain(3);
      const [a] = await db.query<{
        state: string;
        selected_state: string;
        selected_reason: string;
      }>('select state, selected_state, selected_reason from agents where id = $1', [agent!.id]);
      // The chosen state and reason are kept (free-text reasons of version 2 stay readable).
      expect(a).toEqual({ state: 'paused', selected_state: 'paused', selected_reason: 'lunch' });
      const [q] = await db.query<{ auto_accept: string[]; mode: string; wrap_up_seconds: number }>(
        'select auto_accept, mode, wrap_up_seconds from queues where id = $1',
        [queue!.id],
      );
      // Existing queues keep assigning without offers, as in version 2.
      expect(q).toEqual({ auto_accept: ['email', 'chat'], mode: 'push', wrap_up_seconds: 0 });
      const reasons = await db.query<{ code: string; system: boolean }>(
        'select code, system from pause_reasons order by sort',
      );
      expect(reasons.find((r) => r.code === 'missed_offer')?.system).toBe(true);
      expect(reasons.map((r) => r.code)).toEqual(
        expect.arrayContaining(['break', 'training', 'administrative', 'back_office', 'callback']),
      );
      // New states and statuses are accepted; one pending offer per task and per agent.
      await db.query(`update agents set state = 'wrap_up' where id = $1`, [agent!.id]);
      await db.query(`update tasks set status = 'wrapping'`);
      await expect(db.query(`update agents set state = 'sleeping'`)).rejects.toThrow();
      const [task] = await db.query<{ id: string }>('select id from tasks');
      const offer = `insert into offers (task_id, agent_id, offered_at, expires_at) values ($1, $2, now(), now())`;
      await db.query(offer, [task!.id, agent!.id]);
      await expect(db.query(offer, [task!.id, agent!.id])).rejects.toThrow(/duplicate key/);
      // New agents start logged out.
      const [fresh] = await db.query<{ state: string }>(
        `insert into agents (login, name, password_hash, roles) values ('new', 'N', $1, '{agent}')
         returning state`,
        [hash],
      );
      expect(fresh!.state).toBe('logged_out');
    } finally {
      await db.close();
    }
  });
});
