import { type SetStateRequest } from '../../shared/api/index.js';
import { type AgentStatus } from '../../shared/domain/index.js';
import { type HubContext } from '../context.js';
import { type Query } from '../db/db.js';
import { appendEvents } from '../events/append.js';
import { agentStatus, type AgentRow } from './rows.js';

export async function getAgentRow(q: Query, agentId: string): Promise<AgentRow | undefined> {
  const rows = await q<AgentRow>('select * from agents where id = $1', [agentId]);
  return rows[0];
}

/** Changes the agent's state inside `q`'s transaction; no-op (no event) when nothing changes. */
export async function changeState(
  q: Query,
  agentId: string,
  req: SetStateRequest,
): Promise<{ status: AgentStatus; changed: boolean }> {
  const rows = await q<AgentRow>('select * from agents where id = $1 for update', [agentId]);
  const row = rows[0];
  if (!row) throw new Error(`agent ${agentId} not found`);
  const reason = req.state === 'paused' ? (req.reason ?? null) : null;
  if (row.state === req.state && row.state_reason === reason) {
    return { status: agentStatus(row), changed: false };
  }
  const updated = await q<AgentRow>(
    `update agents set state = $2, state_reason = $3, state_since = now(),
       idle_since = case when $2 = 'available' then now() else idle_since end
     where id = $1 returning *`,
    [agentId, req.state, reason],
  );
  const status = agentStatus(updated[0]!);
  await appendEvents(q, [
    { type: 'agent.state_changed', agentId, data: { ...status, previous: row.state } },
  ]);
  return { status, changed: true };
}

/** PUT /me/state: an agent who becomes available may be given queued work at once. */
export async function setState(
  ctx: HubContext,
  agentId: string,
  req: SetStateRequest,
): Promise<AgentStatus> {
  const { status, changed } = await ctx.tx((q) => changeState(q, agentId, req));
  if (changed && status.state === 'available') await ctx.router.run();
  return status;
}
