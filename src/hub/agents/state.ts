import { type SetStateRequest } from '../../shared/api/index.js';
import { type AgentStatus } from '../../shared/domain/index.js';
import { type HubContext } from '../context.js';
import { type Query, type Statement, writeLater } from '../db/db.js';
import { HubError } from '../errors.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { msBetween } from '../clock.js';
import { revokeAgentOffers } from '../routing/offers.js';
import { iso } from '../time.js';
import { deriveState, WORKING_OR_IDLE } from './derive.js';
import { agentStatus, type AgentRow } from './rows.js';

export async function getAgentRow(q: Query, agentId: string): Promise<AgentRow | undefined> {
  const rows = await q<AgentRow>('select * from agents where id = $1', [agentId]);
  return rows[0];
}

export async function lockAgent(q: Query, agentId: string): Promise<AgentRow> {
  const rows = await q<AgentRow>('select * from agents where id = $1 for update', [agentId]);
  if (!rows[0]) throw new HubError('not_found', 'agent not found');
  return rows[0];
}

/** An agent row with the facts `reconcile` needs about its offers and tasks. */
export type RefreshRow = AgentRow & { has_offer: boolean; active: number };

/**
 * SQL for `RefreshRow.active` of the agent whose id is the expression `agent`: the tasks that keep
 * them busy. One definition for every statement that reads refresh rows.
 */
export const activeTasksSql = (agent: string): string =>
  `(select count(*)::int from tasks t where t.agent_id = ${agent}
     and t.status in ('assigned', 'wrapping'))`;

/** What `refreshAgents` writes back for one agent (the whole new state, computed under the lock). */
interface AgentUpdate {
  id: string;
  state: string;
  stateReason: string | null;
  stateSince: string;
  selectedState: string;
  selectedReason: string | null;
  nextState: string | null;
  nextReason: string | null;
  idleSince: string | null;
}

/** The shown state an agent's facts imply, and the row update and event a change needs. */
function reconcile(
  row: RefreshRow,
  now: Date,
  cause: string | undefined,
): { update: AgentUpdate | null; event: NewEvent | null } {
  const idleNow =
    !row.has_offer &&
    Number(row.active) === 0 &&
    row.wrap_until === null &&
    row.disconnected_at === null;
  let selected = row.selected_state;
  let reason = row.selected_reason;
  let nextApplied = false;
  if (row.next_state && idleNow && selected !== 'logged_out') {
    selected = row.next_state;
    reason = row.next_state === 'paused' ? row.next_reason : null;
    nextApplied = true;
  }
  const derived = deriveState({
    selected,
    reason: selected === 'paused' ? reason : null,
    disconnected: row.disconnected_at !== null,
    wrapping: row.wrap_until !== null,
    pendingOffer: row.has_offer,
    activeTasks: Number(row.active),
  });
  const changed = derived.state !== row.state || derived.reason !== row.state_reason;
  if (!changed && !nextApplied) return { update: null, event: null };
  const restartsIdle = derived.state === 'available' && !WORKING_OR_IDLE.has(row.state);
  const update: AgentUpdate = {
    id: row.id,
    state: derived.state,
    stateReason: derived.reason,
    stateSince: changed ? iso(now) : iso(row.state_since),
    selectedState: selected,
    selectedReason: selected === 'paused' ? reason : null,
    nextState: nextApplied ? null : row.next_state,
    nextReason: nextApplied ? null : row.next_reason,
    idleSince: restartsIdle ? iso(now) : row.idle_since === null ? null : iso(row.idle_since),
  };
  if (!changed) return { update, event: null };
  const status = agentStatus({
    ...row,
    state: derived.state,
    state_reason: derived.reason,
    state_since: now,
    next_state: update.nextState as AgentRow['next_state'],
    next_reason: update.nextReason,
  });
  return {
    update,
    event: {
      type: 'agent.state_changed',
      agentId: row.id,
      data: {
        ...status,
        previous: row.state,
        previousReason: row.state_reason,
        previousSince: iso(row.state_since),
        /** Time spent in the previous state: pause-by-reason, idle and wrap-up reports sum these. */
        previousDurationMs: msBetween(row.state_since, now),
        cause: cause ?? (nextApplied ? 'next_state' : 'system'),
      },
    },
  };
}

/**
 * Brings agents' shown state in line with the facts (chosen state, connection, wrap-up, offers,
 * tasks), applies a pending "next state" once an agent has no work left, and describes each change
 * as `agent.state_changed` (with how long the previous state lasted, for pause and idle reports).
 * Two statements whatever the number of agents (a routing pass refreshes all it offered to): lock
 * and read them, then write back the changed ones. Rows are locked in id order, like the router.
 */
export async function refreshAgents(
  q: Query,
  agentIds: readonly string[],
  now: Date,
  cause?: string,
): Promise<{ rows: Map<string, AgentRow>; events: NewEvent[] }> {
  if (agentIds.length === 0) return { rows: new Map(), events: [] };
  const read = refreshRead(agentIds);
  const found = await q<RefreshRow>(read.text, read.values);
  return applyRefresh(q, found, now, cause);
}

/**
 * `refreshAgents`' read (locks the agents, in id order): for a caller that sends it together with
 * its other reads and passes the rows, adjusted for its own writes, to `applyRefresh`. The ids go
 * through a sub-select so PostgreSQL keeps the generic plan: with the array visible it planned
 * afresh on every call (0.33 ms, six times the read itself).
 */
export function refreshRead(agentIds: readonly string[]): Statement {
  return {
    text: `select a.*,
       exists (select 1 from offers o where o.agent_id = a.id and o.status = 'pending') as has_offer,
       ${activeTasksSql('a.id')} as active
     from agents a where a.id = any((select $1::uuid[])::uuid[]) order by a.id for update`,
    values: [[...new Set(agentIds)]],
  };
}

/**
 * The second half of `refreshAgents`, for callers that read the rows in a statement of their
 * own (locked, and with `has_offer` / `active` as they are after the caller's writes): saves
 * the read's round trip on the routing path.
 */
export async function applyRefresh(
  q: Query,
  found: readonly RefreshRow[],
  now: Date,
  cause?: string,
): Promise<{ rows: Map<string, AgentRow>; events: NewEvent[] }> {
  const rows = new Map<string, AgentRow>();
  const updates: AgentUpdate[] = [];
  const events: NewEvent[] = [];
  for (const row of found) {
    rows.set(row.id, row);
    const r = reconcile(row, now, cause);
    if (r.update) updates.push(r.update);
    if (r.event) events.push(r.event);
  }
  if (updates.length > 0) {
    const col = <K extends keyof AgentUpdate>(k: K) => updates.map((u) => u[k]);
    // Nobody reads the written rows back from the database (they are the locked rows with these
    // columns set), so the write rides with the transaction's next statement or its COMMIT. The
    // arrays go through sub-selects so the generic plan is kept (with them visible, PostgreSQL
    // planned three calls in four afresh: 0.16 ms each).
    await writeLater(
      q,
      `update agents a set state = u.state, state_reason = u.state_reason,
         state_since = u.state_since, selected_state = u.selected_state,
         selected_reason = u.selected_reason, next_state = u.next_state,
         next_reason = u.next_reason, idle_since = u.idle_since
       from unnest((select $1::uuid[]), (select $2::text[]), (select $3::text[]),
                   (select $4::timestamptz[]), (select $5::text[]), (select $6::text[]),
                   (select $7::text[]), (select $8::text[]), (select $9::timestamptz[]))
         as u(id, state, state_reason, state_since, selected_state, selected_reason, next_state,
              next_reason, idle_since)
       where a.id = u.id`,
      [
        col('id'),
        col('state'),
        col('stateReason'),
        col('stateSince'),
        col('selectedState'),
        col('selectedReason'),
        col('nextState'),
        col('nextReason'),
        col('idleSince'),
      ],
    );
    for (const u of updates) {
      const { has_offer: _o, active: _a, ...before } = found.find((r) => r.id === u.id)!;
      rows.set(u.id, {
        ...before,
        state: u.state as AgentRow['state'],
        state_reason: u.stateReason,
        state_since: new Date(u.stateSince),
        selected_state: u.selectedState as AgentRow['selected_state'],
        selected_reason: u.selectedReason,
        next_state: u.nextState as AgentRow['next_state'],
        next_reason: u.nextReason,
        idle_since: u.idleSince === null ? null : new Date(u.idleSince),
      });
    }
  }
  return { rows, events };
}

/** `refreshAgents` for one agent (call with the agent row locked, after any change to it). */
export async function refreshAgent(
  q: Query,
  agentId: string,
  now: Date,
  cause?: string,
): Promise<{ row: AgentRow; events: NewEvent[] }> {
  const { rows, events } = await refreshAgents(q, [agentId], now, cause);
  const row = rows.get(agentId);
  if (!row) throw new HubError('not_found', 'agent not found');
  return { row, events };
}

/** A reason agents may pause with: known, enabled, and not reserved for the hub. */
async function assertPauseReason(q: Query, reason: string, system: boolean): Promise<void> {
  const rows = await q<{ system: boolean; enabled: boolean }>(
    'select system, enabled from pause_reasons where code = $1',
    [reason],
  );
  const r = rows[0];
  if (!r || !r.enabled || (r.system && !system)) {
    throw new HubError('unknown_pause_reason', `"${reason}" is not a pause reason you can choose`, {
      reason,
    });
  }
}

/**
 * Sets the state an agent chose (or a supervisor chose for them). With `afterWork` and work in
 * hand it becomes the next state instead. Pausing or going offline revokes a pending offer (the
 * task goes back to the head of its queue; the agent is not skipped for it).
 */
export async function chooseState(
  q: Query,
  agentId: string,
  req: SetStateRequest,
  now: Date,
  cause: string,
): Promise<{ status: AgentStatus; events: NewEvent[] }> {
  const reason = req.state === 'paused' ? (req.reason ?? null) : null;
  if (reason) await assertPauseReason(q, reason, cause === 'system');
  const row = await lockAgent(q, agentId);
  const events: NewEvent[] = [];
  const busy = await q<{ n: number }>(
    `select count(*)::int as n from tasks where agent_id = $1 and status in ('offered', 'assigned', 'wrapping')`,
    [agentId],
  );
  const hasWork = Number(busy[0]?.n ?? 0) > 0 || row.wrap_until !== null;
  if (req.afterWork && hasWork) {
    await q('update agents set next_state = $2, next_reason = $3 where id = $1', [
      agentId,
      req.state,
      reason,
    ]);
    // The chosen next state is a fact consoles and supervisors show: it goes in the log.
    events.push({
      type: 'agent.next_state_set',
      agentId,
      data: {
        nextState: req.state,
        nextReason: reason,
        previousNextState: row.next_state,
        previousNextReason: row.next_reason,
        cause,
      },
    });
  } else {
    await q(
      `update agents set selected_state = $2, selected_reason = $3,
         next_state = null, next_reason = null,
         missed_offers = case when $2 = 'available' then 0 else missed_offers end
       where id = $1`,
      [agentId, req.state, reason],
    );
    if (req.state !== 'available') {
      events.push(...(await revokeAgentOffers(q, agentId, now, 'agent_state')));
    }
  }
  const refreshed = await refreshAgent(q, agentId, now, cause);
  events.push(...refreshed.events);
  return { status: agentStatus(refreshed.row), events };
}

/** PUT /me/state (and the supervisor's PUT /agents/{id}/state). */
export async function setState(
  ctx: HubContext,
  agentId: string,
  req: SetStateRequest,
  cause = 'agent',
): Promise<AgentStatus> {
  return ctx.txThenRoute(
    async (q) => {
      const r = await chooseState(q, agentId, req, ctx.clock.now(), cause);
      await appendEvents(q, r.events);
      return r.status;
    },
    (status) => status.state === 'available' || status.state === 'busy',
  );
}
