import { type Channel, type Role } from '../../shared/domain/index.js';
import { hashPassword } from '../auth/password.js';
import { type Query } from '../db/db.js';

/** Per-channel capacity an agent gets unless told otherwise. */
export const DEFAULT_CAPACITY: Readonly<Record<Channel, number>> = {
  voice: 1,
  chat: 3,
  email: 5,
  callback: 1,
  api: 5,
  messenger: 3,
};

export interface NewAgent {
  login: string;
  name: string;
  password: string;
  roles: Role[];
  /** Queue names the agent takes work from. */
  queues?: string[];
  capacity?: Partial<Record<Channel, number>>;
}

/**
 * Creates an agent with default capacity and queue memberships. Idempotent on the login: an
 * existing agent is left as it is (seeding twice must not duplicate or reset anyone).
 * @returns the agent's id and whether it was created now
 */
export async function ensureAgent(
  q: Query,
  input: NewAgent,
  scryptCost: number,
): Promise<{ id: string; created: boolean }> {
  const existing = await q<{ id: string }>('select id from agents where login = $1', [input.login]);
  if (existing[0]) return { id: existing[0].id, created: false };
  const hash = await hashPassword(input.password, scryptCost);
  const rows = await q<{ id: string }>(
    `insert into agents (login, name, password_hash, roles) values ($1, $2, $3, $4::text[])
     returning id`,
    [input.login, input.name, hash, input.roles],
  );
  const id = rows[0]!.id;
  for (const [channel, capacity] of Object.entries({ ...DEFAULT_CAPACITY, ...input.capacity })) {
    await q('insert into agent_capacity (agent_id, channel, capacity) values ($1, $2, $3)', [
      id,
      channel,
      capacity,
    ]);
  }
  for (const queue of input.queues ?? []) {
    await q(
      `insert into agent_queues (agent_id, queue_id) select $1, id from queues where name = $2
       on conflict do nothing`,
      [id, queue],
    );
  }
  return { id, created: true };
}
