import { type LoginRequest, type LoginResponse } from '../../shared/api/index.js';
import { agentProfile, type AgentRow } from '../agents/rows.js';
import { stopPresence } from '../agents/presence.js';
import { lockAgent, refreshAgent } from '../agents/state.js';
import { revokeAgentOffers } from '../routing/offers.js';
import { type HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { appendEvents, type NewEvent } from '../events/append.js';
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
    // Signing in moves a logged-out agent to offline (signed in, not taking work yet).
    await q(
      `update agents set selected_state = 'offline', selected_reason = null
       where id = $1 and selected_state = 'logged_out'`,
      [row.id],
    );
    const refreshed = await refreshAgent(q, row.id, ctx.clock.now(), 'login');
    await appendEvents(q, [
      { type: 'agent.login', agentId: row.id, data: {} },
      ...refreshed.events,
    ]);
    return t;
  });
  return { token, agent: agentProfile(row) };
}

/**
 * Revokes the session. When it was the agent's last session the agent is logged out (a pending
 * offer is revoked, presence supervision stops), so nobody is routed work they can no longer see.
 */
export async function logout(ctx: HubContext, agentId: string, tokenHash: string): Promise<void> {
  await ctx.tx(async (q) => {
    await q('delete from sessions where token_hash = $1', [tokenHash]);
    const others = await q(
      'select 1 from sessions where agent_id = $1 and expires_at > now() limit 1',
      [agentId],
    );
    const events: NewEvent[] = [];
    if (others.length === 0) {
      const now = ctx.clock.now();
      await lockAgent(q, agentId);
      await q(
        `update agents set selected_state = 'logged_out', selected_reason = null,
           next_state = null, next_reason = null where id = $1`,
        [agentId],
      );
      events.push(...(await revokeAgentOffers(q, agentId, now, 'agent_logged_out')));
      await stopPresence(q, agentId);
      events.push(...(await refreshAgent(q, agentId, now, 'logout')).events);
    }
    await appendEvents(q, [...events, { type: 'agent.logout', agentId, data: {} }]);
  });
  // At once on this hub (the feed may hold the event back behind a gap for a few ms).
  ctx.principals.forgetAgent(agentId);
}
