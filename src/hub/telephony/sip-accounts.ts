import { createHash, randomBytes } from 'node:crypto';
import { type SipSettings } from '../../shared/api/telephony.js';
import { type Query } from '../db/db.js';

export const sipHa1 = (username: string, domain: string, secret: string): string =>
  createHash('md5').update(`${username}:${domain}:${secret}`).digest('hex');

/** A SIP user name from a login: lower case, safe characters only. */
export function sipUsername(login: string): string {
  const name = login
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return (name || 'agent').slice(0, 64);
}

interface AccountRow {
  [key: string]: unknown;
  agent_id: string;
  username: string;
  domain: string;
  ha1: string;
  enabled: boolean;
}

/**
 * The agent's SIP account, created on first use with a random secret of which only the HA1 is
 * kept. A domain change (new Kamailio realm) invalidates HA1s, so the account is re-keyed.
 */
export async function ensureSipAccount(
  q: Query,
  agent: { id: string; login: string },
  domain: string,
): Promise<AccountRow> {
  const existing = (
    await q<AccountRow>('select * from sip_accounts where agent_id = $1 for update', [agent.id])
  )[0];
  if (existing && existing.domain === domain) return existing;
  const username = existing?.username ?? (await freeUsername(q, sipUsername(agent.login)));
  const ha1 = sipHa1(username, domain, randomBytes(24).toString('base64url'));
  const rows = await q<AccountRow>(
    `insert into sip_accounts (agent_id, username, domain, ha1) values ($1, $2, $3, $4)
     on conflict (agent_id) do update set domain = excluded.domain, ha1 = excluded.ha1
     returning *`,
    [agent.id, username, domain, ha1],
  );
  return rows[0]!;
}

async function freeUsername(q: Query, base: string): Promise<string> {
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${base.slice(0, 60)}-${i}`;
    const taken = await q('select 1 from sip_accounts where username = $1', [name]);
    if (taken.length === 0) return name;
  }
}

export async function ha1ForUser(
  q: Query,
  username: string,
  domain: string,
): Promise<string | null> {
  const rows = await q<AccountRow>(
    `select s.* from sip_accounts s join agents a on a.id = s.agent_id
     where s.username = $1 and s.domain = $2 and s.enabled`,
    [username, domain],
  );
  return rows[0]?.ha1 ?? null;
}

export async function agentBySipUser(q: Query, username: string): Promise<string | null> {
  const rows = await q<{ agent_id: string }>(
    'select agent_id from sip_accounts where username = $1',
    [username],
  );
  return rows[0]?.agent_id ?? null;
}

export async function sipUserOfAgent(q: Query, agentId: string): Promise<string | null> {
  const rows = await q<{ username: string }>(
    'select username from sip_accounts where agent_id = $1',
    [agentId],
  );
  return rows[0]?.username ?? null;
}

export function sipSettings(
  row: Pick<AccountRow, 'username' | 'domain' | 'ha1' | 'enabled'>,
  wsUrl: string,
  displayName: string,
): SipSettings {
  return {
    enabled: row.enabled,
    username: row.username,
    domain: row.domain,
    wsUrl,
    displayName,
    ha1: row.ha1,
  };
}
