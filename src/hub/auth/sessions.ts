import { type Query } from '../db/db.js';
import { type AgentProfile } from '../../shared/domain/index.js';
import { agentProfile, type AgentRow } from '../agents/rows.js';
import { hashToken, newToken } from './tokens.js';
import { type Principal } from './principal.js';

/** Creates a session and returns the bearer token (shown once; only its hash is stored). */
export async function createSession(
  q: Query,
  agentId: string,
  ttlSeconds: number,
): Promise<string> {
  const token = newToken();
  // Housekeeping on the way: sessions that expired a day ago are of no use to anyone.
  await q(`delete from sessions where expires_at < now() - interval '1 day'`);
  await q(
    `insert into sessions (token_hash, agent_id, expires_at)
     values ($1, $2, now() + make_interval(secs => $3))`,
    [hashToken(token), agentId, ttlSeconds],
  );
  return token;
}

export async function agentForToken(
  q: Query,
  token: string,
): Promise<{ agent: AgentProfile; tokenHash: string; expiresAt: Date } | undefined> {
  const tokenHash = hashToken(token);
  const rows = await q<AgentRow & { session_expires_at: Date | string }>(
    `select a.*, s.expires_at as session_expires_at from sessions s join agents a on a.id = s.agent_id
     where s.token_hash = $1 and s.expires_at > now()`,
    [tokenHash],
  );
  const row = rows[0];
  return row
    ? { agent: agentProfile(row), tokenHash, expiresAt: new Date(row.session_expires_at) }
    : undefined;
}

export async function integrationForToken(
  q: Query,
  token: string,
): Promise<Extract<Principal, { kind: 'integration' }> | undefined> {
  const rows = await q<{ id: string; name: string }>(
    'select id, name from integration_tokens where token_hash = $1 and revoked_at is null',
    [hashToken(token)],
  );
  const row = rows[0];
  return row ? { kind: 'integration', tokenId: row.id, name: row.name } : undefined;
}

/** Resolves a bearer token to a principal: a session first, then an integration token. */
export async function resolveToken(q: Query, token: string): Promise<Principal | undefined> {
  if (token.length === 0 || token.length > 500) return undefined;
  const session = await agentForToken(q, token);
  if (session) return { kind: 'agent', ...session };
  return integrationForToken(q, token);
}

export async function createIntegrationToken(
  q: Query,
  name: string,
  token: string = newToken(),
): Promise<{ id: string; name: string; token: string }> {
  const rows = await q<{ id: string }>(
    'insert into integration_tokens (name, token_hash) values ($1, $2) returning id',
    [name, hashToken(token)],
  );
  return { id: rows[0]!.id, name, token };
}

/** Parses `Authorization: Bearer <token>`; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
