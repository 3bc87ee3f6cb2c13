import { type LoginRequest, type LoginResponse } from '../../shared/api/index.js';
import { agentProfile, type AgentRow } from '../agents/rows.js';
import { changeState } from '../agents/state.js';
import { type HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { appendEvents } from '../events/append.js';
import { hashPassword, verifyPassword } from './password.js';
import { createSession } from './sessions.js';

let dummyHash: Promise<string> | undefined;

/**
 * Checks the password and opens a session. An unknown login still costs one scrypt run, so
 * response time does not tell which logins exist.
 */
export async function login(ctx: HubContext, req: LoginRequest): Promise<LoginResponse> {
  const rows = await ctx.db.query<AgentRow>('select * from agents where login = $1', [req.login]);
  const row = rows[0];
  if (!row) {
    dummyHash ??= hashPassword('not-a-password', ctx.config.scryptCost);
    await verifyPassword(req.password, await dummyHash);
    throw new HubError('unauthorized', 'wrong login or password');
  }
  if (!(await verifyPassword(req.password, row.password_hash))) {
    throw new HubError('unauthorized', 'wrong login or password');
  }
  const token = await ctx.tx(async (q) => {
    const t = await createSession(q, row.id, ctx.config.sessionTtlSeconds);
    await appendEvents(q, [{ type: 'agent.login', agentId: row.id, data: {} }]);
    return t;
  });
  return { token, agent: agentProfile(row) };
}

/**
 * Revokes the session. When it was the agent's last session the agent goes offline, so nobody
 * is routed work they can no longer see.
 */
export async function logout(ctx: HubContext, agentId: string, tokenHash: string): Promise<void> {
  await ctx.tx(async (q) => {
    await q('delete from sessions where token_hash = $1', [tokenHash]);
    const others = await q(
      'select 1 from sessions where agent_id = $1 and expires_at > now() limit 1',
      [agentId],
    );
    if (others.length === 0) await changeState(q, agentId, { state: 'offline' });
    await appendEvents(q, [{ type: 'agent.logout', agentId, data: {} }]);
  });
}
