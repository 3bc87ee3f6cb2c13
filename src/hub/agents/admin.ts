import {
  type AgentOverview,
  type AgentRoutingUpdate,
  type PauseReasonInput,
} from '../../shared/api/index.js';
import { type AgentRouting, type PauseReason } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { HubError } from '../errors.js';
import { isoOrNull } from '../time.js';
import { agentProfile, agentStatus, type AgentRow } from './rows.js';

interface OverviewRow extends AgentRow {
  languages: string[];
  skills: Record<string, number>;
  voice_exclusive: boolean;
  memberships: { queueId: string; priority: number }[] | null;
  capacity: Record<string, number> | null;
  active: number;
}

function routing(row: OverviewRow): AgentRouting {
  return {
    languages: row.languages ?? [],
    skills: row.skills ?? {},
    memberships: (row.memberships ?? []).map((m) => ({
      queueId: m.queueId,
      priority: Number(m.priority),
    })),
    capacity: row.capacity ?? {},
    voiceExclusive: row.voice_exclusive,
  };
}

const OVERVIEW = `select a.*,
  (select json_agg(json_build_object('queueId', aq.queue_id, 'priority', aq.priority))
     from agent_queues aq where aq.agent_id = a.id) as memberships,
  (select json_object_agg(c.channel, c.capacity) from agent_capacity c where c.agent_id = a.id) as capacity,
  (select count(*)::int from tasks t where t.agent_id = a.id and t.status in ('assigned', 'wrapping')) as active
  from agents a`;

/** Supervisor view: every agent with state, routing profile and load. */
export async function listAgents(q: Query, id?: string): Promise<AgentOverview[]> {
  const rows = await q<OverviewRow>(
    `${OVERVIEW} ${id ? 'where a.id = $1' : ''} order by a.login`,
    id ? [id] : [],
  );
  return rows.map((r) => ({
    agent: agentProfile(r),
    status: agentStatus(r),
    routing: routing(r),
    activeTasks: Number(r.active),
    lastHeartbeatAt: isoOrNull(r.last_heartbeat_at),
  }));
}

/** Admin: change languages, skills, memberships (replaced as a whole), capacity, voice exclusivity. */
export async function updateAgentRouting(
  q: Query,
  agentId: string,
  update: AgentRoutingUpdate,
): Promise<AgentOverview> {
  const exists = await q('select 1 from agents where id = $1 for update', [agentId]);
  if (exists.length === 0) throw new HubError('not_found', 'agent not found');
  if (update.languages)
    await q('update agents set languages = $2::text[] where id = $1', [agentId, update.languages]);
  if (update.skills)
    await q('update agents set skills = $2::jsonb where id = $1', [
      agentId,
      JSON.stringify(update.skills),
    ]);
  if (update.voiceExclusive !== undefined)
    await q('update agents set voice_exclusive = $2 where id = $1', [
      agentId,
      update.voiceExclusive,
    ]);
  if (update.capacity) {
    for (const [channel, capacity] of Object.entries(update.capacity)) {
      await q(
        `insert into agent_capacity (agent_id, channel, capacity) values ($1, $2, $3)
         on conflict (agent_id, channel) do update set capacity = excluded.capacity`,
        [agentId, channel, capacity],
      );
    }
  }
  if (update.memberships) {
    const known = await q<{ id: string }>('select id from queues where id = any($1::uuid[])', [
      update.memberships.map((m) => m.queueId),
    ]);
    if (known.length !== new Set(update.memberships.map((m) => m.queueId)).size) {
      throw new HubError('bad_request', 'unknown queue in memberships');
    }
    await q('delete from agent_queues where agent_id = $1', [agentId]);
    for (const m of update.memberships) {
      await q('insert into agent_queues (agent_id, queue_id, priority) values ($1, $2, $3)', [
        agentId,
        m.queueId,
        m.priority,
      ]);
    }
  }
  return (await listAgents(q, agentId))[0]!;
}

interface PauseReasonRow {
  [key: string]: unknown;
  code: string;
  label: string;
  system: boolean;
  enabled: boolean;
}

const pauseReason = (r: PauseReasonRow): PauseReason => ({
  code: r.code,
  label: r.label,
  system: r.system,
  enabled: r.enabled,
});

export async function listPauseReasons(q: Query): Promise<PauseReason[]> {
  const rows = await q<PauseReasonRow>('select * from pause_reasons order by sort, code');
  return rows.map(pauseReason);
}

/** Admin: create or change a pause reason (system reasons keep their system flag). */
export async function upsertPauseReason(q: Query, input: PauseReasonInput): Promise<PauseReason> {
  const rows = await q<PauseReasonRow>(
    `insert into pause_reasons (code, label, enabled, sort)
     values ($1, $2, $3, (select coalesce(max(sort), 0) + 1 from pause_reasons))
     on conflict (code) do update set label = excluded.label,
       enabled = coalesce($4, pause_reasons.enabled)
     returning *`,
    [input.code, input.label, input.enabled ?? true, input.enabled ?? null],
  );
  return pauseReason(rows[0]!);
}
