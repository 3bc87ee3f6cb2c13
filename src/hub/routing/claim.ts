import { Channel, type SkillLevels } from '../../shared/domain/index.js';
import { type AgentRow } from '../agents/rows.js';
import { activeTasksSql } from '../agents/state.js';
import { randomUUID } from 'node:crypto';
import { type Query, readTogether } from '../db/db.js';
import { type TicketRow } from '../tickets/rows.js';
import { type AgentView, type TaskView } from './matcher.js';
import { type TaskRow } from './offers.js';

export interface QueuedTaskRow {
  [key: string]: unknown;
  id: string;
  ticket_id: string;
  queue_id: string;
  channel: Channel;
  priority: number;
  sla_deadline: Date | string | null;
  created_at: Date | string;
  language: string | null;
  skills: SkillLevels;
  auto_accept: boolean;
  offer_timeout_s: number | null;
  wrap_up_seconds: number;
  skipped: string[] | null;
  /** The whole task row and its ticket's (locked): what an offer of it changes is known. */
  task_row: TaskRow;
  ticket_row: TicketRow;
}

const ms = (v: Date | string | null): number | null =>
  v === null ? null : v instanceof Date ? v.getTime() : new Date(v).getTime();

/** Agents that can take new work at all (the rest of eligibility is per task). */
export const READY_AGENT = `a.selected_state = 'available' and a.disconnected_at is null
  and a.wrap_until is null`;

/**
 * Agents with a pending offer, as one array per statement (an InitPlan): at most one per agent,
 * so it stays small. Written as `a.id <> all (…)` it costs one scan per statement whatever the
 * planner believes about table sizes — as a NOT EXISTS it was sometimes planned as a scan of
 * every pending offer once per agent (200 agents: ~10 ms a pass).
 */
const NO_PENDING_OFFER = `a.id <> all (array(select o.agent_id from offers o
  where o.status = 'pending'))`;

/** The agent `c.agent_id` has room on channel `c.channel` (the partial index of live tasks). */
const HAS_ROOM = `c.capacity > (select count(*) from tasks x where x.agent_id = c.agent_id
  and x.channel = c.channel and x.status in ('offered', 'assigned', 'wrapping'))`;

const TASK_COLUMNS = `t.id, t.ticket_id, t.queue_id, t.channel, t.priority, t.sla_deadline,
  t.created_at, t.language, t.skills, (t.channel = any(qu.auto_accept)) as auto_accept,
  (qu.offer_timeouts ->> t.channel)::int as offer_timeout_s, qu.wrap_up_seconds,
  array(select o.agent_id from offers o where o.task_id = t.id
        and o.status in ('rejected', 'timed_out')) as skipped,
  to_jsonb(t) as task_row, to_jsonb(k) || jsonb_build_object('customer_name',
    (select cu.name from customers cu where cu.id = k.customer_id)) as ticket_row`;

/**
 * Locks the next queued tasks of push-mode queues that some ready member of their queue has room
 * for, in drain order (priority, SLA deadline, age). SKIP LOCKED lets several routers (several
 * hubs) work the same backlog without waiting on or double-claiming each other's rows; the ticket
 * is locked too, so a router never waits on a ticket another transaction holds (e.g. a close).
 * A CTE `free` (freePairsSql) must be in scope; `limit`: an SQL expression.
 */
const lockTasksSql = (limit: string): string =>
  `select ${TASK_COLUMNS}
   from tasks t
   join tickets k on k.id = t.ticket_id
   join queues qu on qu.id = t.queue_id
   where t.status = 'queued'
     and (t.queue_id, t.channel) in (select queue_id, channel from free)
   order by t.priority desc, t.sla_deadline nulls last, t.created_at, t.id
   limit ${limit}
   for update of t, k skip locked`;

/**
 * Which (queue, channel) pairs have work waiting and some ready agent with room — a few probes
 * per queue, so neither a long backlog nor a big team makes a pass expensive; the EXISTS stops at
 * the first free agent. `channels`: a text[] expression; `only` (serve next): a uuid expression,
 * that agent in queues of any mode instead of any agent in push-mode queues.
 */
const freePairsSql = (channels: string, only?: string): string =>
  `select qu.id as queue_id, ch.channel
   from queues qu cross join unnest(${channels}) as ch(channel)
   where ${only ? 'true' : `qu.mode = 'push'`}
     and exists (select 1 from tasks w where w.queue_id = qu.id and w.channel = ch.channel
                 and w.status = 'queued')
     and exists (
       select 1 from agent_queues aq
       join agents a on a.id = aq.agent_id
       join agent_capacity c on c.agent_id = aq.agent_id and c.channel = ch.channel
       where aq.queue_id = qu.id and ${READY_AGENT} ${only ? `and a.id = ${only}` : ''}
         and ${NO_PENDING_OFFER} and ${HAS_ROOM})`;

/**
 * Locks the ready members of the queues of `queues` (a FROM item `qq(queue_id)`) who have room
 * on one of `channels` (a text[] expression) and no pending offer, at most `limit` per queue;
 * `only`: a uuid expression, null for anyone. See lockReadyAgents.
 *
 * Per queue and membership tier, the ready agents are walked longest idle first along
 * `agents_ready_idle_idx` (migration 12), each checked for membership, no pending offer and
 * room, until `limit` qualify: a pass looks at a few agents instead of sorting every ready
 * member of the queue (200 ready agents: the sort was ~1 ms of the pass's lock statement).
 */
const lockAgentsSql = (queues: string, channels: string, only: string, limit: string): string =>
  `select a.id from agents a
   where a.id in (
     select m.id from ${queues}
     cross join lateral (
       select w.id from
         (select distinct aq.priority from agent_queues aq where aq.queue_id = qq.queue_id) tier
       cross join lateral (
         select a.id, a.idle_since from agents a
         where ${READY_AGENT} and (${only} is null or a.id = ${only}) and ${NO_PENDING_OFFER}
           and (select aq.priority from agent_queues aq
                where aq.agent_id = a.id and aq.queue_id = qq.queue_id) = tier.priority
           and exists (select 1 from agent_capacity c
                       where c.agent_id = a.id and c.channel = any(${channels}) and ${HAS_ROOM})
         order by a.idle_since nulls first, a.id
         limit ${limit}
       ) w
       order by tier.priority desc, w.idle_since nulls first, w.id
       limit ${limit}
     ) m
   )
   order by a.id
   for update of a skip locked`;

const AGENTS_PER_TASK = 2;
const AGENTS_EXTRA = 4;
/**
 * How many ready agents per queue a routing pass locks first, for `tasks` locked tasks: enough of
 * the longest idle for every task, with room for a few eligibility misses (a language or skill
 * the agent lacks, an offer they rejected); when those are not enough, routeBatch looks at
 * everyone. Each locked agent is a row lock written and a row the matcher's read builds (10
 * extra cost ~0.5 ms a pass at 200 agents for nothing in a team whose members are alike).
 */
export const firstAgentLimit = (tasks: number): number => tasks * AGENTS_PER_TASK + AGENTS_EXTRA;

/** Where the lock statement leaves its agent ids for the read behind it (transaction-local). */
const LOCKED_AGENTS = 'concierge.locked_agents';

/**
 * A routing pass's locks in one statement: up to `limit` queued tasks with their tickets
 * (lockTasksSql), then the ready members of the locked tasks' queues with room on one of their
 * channels, at most `firstAgentLimit(tasks locked)` per queue (lockReadyAgents). Tasks and tickets
 * are locked first: a CTE with FOR UPDATE is never inlined, and the agent part's per-queue limit
 * counts every locked task (an InitPlan, run before its first row) before it can lock anyone; it
 * is only read on the first task row, so with no task locked it does not run at all. The agent
 * ids come once, on that first row (`agent_ids`, null on the others), and are also left in a
 * transaction-local setting under `token`, where the agent read sent behind this statement in the
 * same round trip finds them (lockedAgentViewsSql). Every parameter is read through a
 * sub-select, for the reason given at lockReadyAgents (the generic plan is kept). `only` (serve
 * next): that agent only, in queues of any mode.
 */
const lockTasksAndAgentsSql = (only: boolean): string => `with free as (${freePairsSql(
  '(select $2::text[])',
  only ? '(select $3::uuid)' : undefined,
)}),
     locked as (${lockTasksSql('(select $1::bigint)')}),
     agents_locked as (${lockAgentsSql(
       '(select distinct queue_id from locked) as qq',
       'array(select distinct channel from locked)',
       '(select $3::uuid)',
       `(select count(*) * ${AGENTS_PER_TASK} + ${AGENTS_EXTRA} from locked)`,
     )})
     select l.*, f.agent_ids,
       case when l.n = 1 then set_config('${LOCKED_AGENTS}',
         (select $4::text) || ':' || array_to_string(f.agent_ids, ','), true) end as handed_on
     from (select locked.*, row_number() over (
             order by priority desc, sla_deadline nulls last, created_at, id) as n
           from locked) l
     left join lateral (select array(select id from agents_locked) as agent_ids
                        where l.n = 1) f on true
     order by l.n`;

/**
 * The locked agents as the matcher sees them (agentViewsSql), read in a statement of its own —
 * a fresh snapshot, so load counts cannot be stale — but sent in the same round trip as the lock
 * statement: the ids come from the setting it left, and only when it left them under this
 * `token` ($1), so a pass that locked nothing reads nobody.
 */
const lockedAgentViewsSql = (): string =>
  agentViewsSql(`(select case when split_part(s.v, ':', 1) = (select $1::text)
      then string_to_array(split_part(s.v, ':', 2), ',')::uuid[] end
    from (select current_setting('${LOCKED_AGENTS}', true) as v) s)::uuid[]`);

/**
 * A routing pass's locks and the locked agents' views in one round trip (two statements: see
 * lockTasksAndAgentsSql and lockedAgentViewsSql). `only` (serve next): that agent only, in queues
 * of any mode.
 */
export async function lockTasksAndAgents(
  q: Query,
  limit: number,
  day: Date,
  only?: { agentId: string },
): Promise<{ tasks: QueuedTaskRow[]; agentIds: string[]; agents: LockedAgentView[] }> {
  const token = randomUUID();
  const [locked, views] = (await readTogether(q, [
    {
      text: only ? LOCK_FOR_ONE_SQL : LOCK_SQL,
      values: [limit, Channel.options, only?.agentId ?? null, token],
    },
    { text: LOCKED_AGENT_VIEWS_SQL, values: [token, day] },
  ])) as [(QueuedTaskRow & { agent_ids: string[] | null })[], AgentSnapshotRow[]];
  return {
    tasks: locked,
    agentIds: locked[0]?.agent_ids ?? [],
    agents: views.map(agentView),
  };
}

/**
 * Locks the ready members of the given queues who have room on one of the given channels and no
 * pending offer (SKIP LOCKED: another router has the rest) — only they can be eligible, and
 * leaving full agents out keeps a pass cheap when one slot frees up in a busy team. At most
 * `limit` per queue, in the matcher's own order (membership tier, then longest idle): an agent
 * left out ranks below every locked one for that queue, so it can only matter when none of them
 * can take a task — `routeBatch` then looks at everyone. Locking every ready agent of a big team
 * on each pass cost a row lock per agent per pass. A pass's first look comes with its tasks
 * (lockTasksAndAgents); this is the look at everyone.
 *
 * Per queue, the members passing the cheap filters are sorted first and the room check (two
 * index probes per agent) runs on them in that order only until `limit` have room: `offset 0`
 * keeps it above the sort instead of on every member (200 ready agents, limit 12: ~1.8 → ~0.8 ms).
 * Every parameter is read through a sub-select, so custom plans cost the same as the generic one
 * and PostgreSQL keeps the generic plan: with the values visible it planned afresh on each call
 * (0.5–0.8 ms, as much as running it).
 */
export async function lockReadyAgents(
  q: Query,
  queueIds: readonly string[],
  channels: readonly string[],
  only?: string,
  limit = 100_000,
): Promise<string[]> {
  const rows = await q<{ id: string }>(
    lockAgentsSql(
      'unnest((select $1::uuid[])) as qq(queue_id)',
      '(select $2::text[])::text[]',
      '(select $3::uuid)',
      '(select $4::bigint)',
    ),
    [queueIds, channels, only ?? null, limit],
  );
  return rows.map((r) => r.id);
}

interface AgentSnapshotRow {
  [key: string]: unknown;
  id: string;
  row: AgentRow & { active: number };
  ready: boolean;
  idle_since: Date | string | null;
  languages: string[];
  skills: SkillLevels;
  voice_exclusive: boolean;
  queues: { q: string; p: number }[] | null;
  capacity: Record<string, number> | null;
  load: Record<string, number> | null;
  today: number;
}

/**
 * A locked agent as the matcher sees it, with its row and active tasks as an agent refresh reads
 * them (`RefreshRow` without `has_offer`): an offer to them needs no read of its own.
 */
export type LockedAgentView = AgentView & { row: AgentRow & { active: number } };

/**
 * What the matcher needs about locked agents, read after locking (a fresh statement sees every
 * commit up to now, so load counts cannot be stale). Memberships come from one join (as a
 * subquery per agent, agent_queues was scanned whole once per agent); "today" is a range of
 * tasks_agent_assigned_idx (migration 10). `ids`: a uuid[] expression; $2: the day's start.
 * Parameters through sub-selects: see lockReadyAgents.
 */
const agentViewsSql = (ids: string): string =>
  `select a.id, a.idle_since, a.languages, a.skills, a.voice_exclusive,
       to_jsonb(a) || jsonb_build_object('active', ${activeTasksSql('a.id')}) as row,
       (${READY_AGENT} and ${NO_PENDING_OFFER}) as ready, m.queues,
       (select json_object_agg(c.channel, c.capacity) from agent_capacity c
          where c.agent_id = a.id) as capacity,
       (select json_object_agg(l.channel, l.n) from (select x.channel, count(*) as n from tasks x
          where x.agent_id = a.id and x.status in ('offered', 'assigned', 'wrapping')
          group by x.channel) l) as load,
       (select count(*)::int from tasks y where y.agent_id = a.id
          and y.assigned_at >= (select $2::timestamptz)) as today
     from agents a
     left join (select aq.agent_id,
                  json_agg(json_build_object('q', aq.queue_id, 'p', aq.priority)) as queues
                from agent_queues aq where aq.agent_id = any(${ids})
                group by aq.agent_id) m on m.agent_id = a.id
     where a.id = any(${ids})`;

/** Agents by id as the matcher sees them (see agentViewsSql): the look at everyone's half. */
export async function agentViews(
  q: Query,
  agentIds: readonly string[],
  day: Date,
): Promise<LockedAgentView[]> {
  if (agentIds.length === 0) return [];
  const rows = await q<AgentSnapshotRow>(AGENT_VIEWS_SQL, [agentIds, day]);
  return rows.map(agentView);
}

const agentView = (r: AgentSnapshotRow): LockedAgentView => ({
  id: r.id,
  ready: r.ready,
  idleSince: ms(r.idle_since),
  tasksToday: Number(r.today),
  queues: new Map((r.queues ?? []).map((m) => [m.q, Number(m.p)])),
  languages: new Set(r.languages ?? []),
  skills: r.skills ?? {},
  capacity: (r.capacity ?? {}) as AgentView['capacity'],
  load: Object.fromEntries(
    Object.entries(r.load ?? {}).map(([k, v]) => [k, Number(v)]),
  ) as AgentView['load'],
  voiceExclusive: r.voice_exclusive,
  row: r.row,
});

// Built once: a pass's statements are long, and each is named by a hash of its text (prepared.ts).
const LOCK_SQL = lockTasksAndAgentsSql(false);
const LOCK_FOR_ONE_SQL = lockTasksAndAgentsSql(true);
const LOCKED_AGENT_VIEWS_SQL = lockedAgentViewsSql();
const AGENT_VIEWS_SQL = agentViewsSql('(select $1::uuid[])::uuid[]');

export function taskView(row: QueuedTaskRow): TaskView {
  return {
    id: row.id,
    queueId: row.queue_id,
    channel: row.channel,
    priority: Number(row.priority),
    slaDeadline: ms(row.sla_deadline),
    createdAt: ms(row.created_at)!,
    language: row.language,
    skills: row.skills ?? {},
    skippedAgents: new Set(row.skipped ?? []),
    autoAccept: row.auto_accept,
  };
}

/** Midnight UTC of `now`: "tasks today" for the tie-break. */
export function dayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
