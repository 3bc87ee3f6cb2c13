import { randomUUID } from 'node:crypto';
import {
  type Channel,
  type Offer,
  type Task,
  type TicketSummary,
} from '../../shared/domain/index.js';
import { type AgentRow } from '../agents/rows.js';
import { activeTasksSql, applyRefresh, refreshAgent, type RefreshRow } from '../agents/state.js';
import { addMs, msBetween } from '../clock.js';
import { type Query, writeLater } from '../db/db.js';
import { HubError } from '../errors.js';
import { type NewEvent } from '../events/append.js';
import { cancelTimer, scheduleTimer } from '../timers/store.js';
import { iso, isoOrNull } from '../time.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from '../tickets/rows.js';
import { DEFAULT_OFFER_TIMEOUT_S } from './queues.js';

export interface TaskRow {
  [key: string]: unknown;
  id: string;
  ticket_id: string;
  queue_id: string;
  channel: Channel;
  status: Task['status'];
  priority: number;
  agent_id: string | null;
  created_at: Date | string;
  assigned_at: Date | string | null;
  completed_at: Date | string | null;
  sla_deadline: Date | string | null;
  language: string | null;
  skills: Record<string, number>;
  offer_count: number;
  topic: string | null;
  wrap_started_at: Date | string | null;
}

export interface OfferRow {
  [key: string]: unknown;
  id: string;
  task_id: string;
  agent_id: string;
  status: 'pending' | 'accepted' | 'rejected' | 'timed_out' | 'revoked';
  auto_accepted: boolean;
  offered_at: Date | string;
  expires_at: Date | string;
  answered_at: Date | string | null;
}

export function taskDto(row: TaskRow): Task {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    queueId: row.queue_id,
    channel: row.channel,
    status: row.status,
    priority: Number(row.priority),
    agentId: row.agent_id,
    createdAt: iso(row.created_at),
    slaDeadline: isoOrNull(row.sla_deadline),
    language: row.language,
    skills: row.skills ?? {},
    topic: row.topic,
  };
}

export async function loadTicketSummary(q: Query, ticketId: string): Promise<TicketSummary> {
  const rows = await q<TicketRow>(`${TICKET_SELECT} where t.id = $1`, [ticketId]);
  return ticketSummary(rows[0]!);
}

function offerDto(offer: OfferRow, task: TaskRow, ticket: TicketSummary): Offer {
  return {
    id: offer.id,
    taskId: task.id,
    ticket,
    offeredAt: iso(offer.offered_at),
    expiresAt: iso(offer.expires_at),
    queueId: task.queue_id,
    channel: task.channel,
  };
}

/**
 * `tickets.assignee_version` for an UPDATE that sets `assignee_id = $2` and bumps the version:
 * the new version when the assignee changes (migration 11: the deferred trigger then has nothing
 * to do), as it was otherwise.
 */
const ASSIGNEE_VERSION = `case when assignee_id is distinct from $2 then version + 1
  else assignee_version end`;

/** The common ids of an event about a task. */
function ids(task: Pick<TaskRow, 'id' | 'ticket_id' | 'queue_id'>, agentId: string | null) {
  return { agentId, ticketId: task.ticket_id, taskId: task.id, queueId: task.queue_id };
}

/** Moves the ticket to the agent and describes the assignment (task.assigned + ticket.assigned). */
export async function assignTicket(
  q: Query,
  task: TaskRow,
  agentId: string,
  data: Record<string, unknown>,
): Promise<NewEvent[]> {
  const rows = await q<TicketRow>(
    `with k as (
       update tickets set assignee_id = $2, version = version + 1, updated_at = now(),
         assignee_version = ${ASSIGNEE_VERSION}
       where id = $1 returning *
     )
     select k.*, c.name as customer_name from k join customers c on c.id = k.customer_id`,
    [task.ticket_id, agentId],
  );
  return assignmentEvents(task, agentId, ticketSummary(rows[0]!), data);
}

/** task.assigned + ticket.assigned for a ticket now assigned to `agentId`. */
function assignmentEvents(
  task: TaskRow,
  agentId: string,
  ticket: TicketSummary,
  data: Record<string, unknown>,
): NewEvent[] {
  return [
    {
      type: 'task.assigned',
      ...ids(task, agentId),
      data: { channel: task.channel, ...data, ticket },
    },
    { type: 'ticket.assigned', ...ids(task, agentId), data: { ticket } },
  ];
}

/**
 * Gives a locked queued task to a locked agent: an offer with the queue's timeout (a timer row
 * decides it), or — auto-accept — the task assigned at once with an offer row recorded as
 * accepted. `via` says who decided ('push' routing or the agent's 'serve_next').
 */
export async function offerTask(
  q: Query,
  taskId: string,
  agentId: string,
  opts: { now: Date; autoAccept: boolean; timeoutS?: number | null; via: 'push' | 'serve_next' },
): Promise<{ events: NewEvent[]; offer: Offer | null; task: TaskRow }> {
  const { now } = opts;
  const task = (
    await q<TaskRow>(
      `update tasks set status = $3, agent_id = $2, offer_count = offer_count + 1,
         assigned_at = case when $3 = 'assigned' then $4::timestamptz else assigned_at end
       where id = $1 returning *`,
      [taskId, agentId, opts.autoAccept ? 'assigned' : 'offered', now],
    )
  )[0]!;
  const timeoutS = opts.timeoutS ?? DEFAULT_OFFER_TIMEOUT_S[task.channel];
  const expires = opts.autoAccept ? now : addMs(now, timeoutS * 1000);
  const offer = (
    await q<OfferRow>(
      `insert into offers (task_id, agent_id, status, auto_accepted, offered_at, expires_at, answered_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning *`,
      [
        taskId,
        agentId,
        opts.autoAccept ? 'accepted' : 'pending',
        opts.autoAccept,
        now,
        expires,
        opts.autoAccept ? now : null,
      ],
    )
  )[0]!;
  const waitMs = msBetween(task.created_at, now);
  const events: NewEvent[] = [];
  let dto: Offer | null = null;
  if (opts.autoAccept) {
    await writeLater(q, 'update agents set idle_since = $2 where id = $1', [agentId, now]);
    events.push(
      ...(await assignTicket(q, task, agentId, {
        offerId: offer.id,
        autoAccepted: true,
        via: opts.via,
        waitMs,
        ringMs: 0,
        attempt: Number(task.offer_count),
      })),
    );
  } else {
    await scheduleTimer(q, {
      key: `offer:${offer.id}`,
      kind: 'offer_timeout',
      dueAt: expires,
      agentId,
      taskId,
      offerId: offer.id,
    });
    const ticket = await loadTicketSummary(q, task.ticket_id);
    dto = offerDto(offer, task, ticket);
    events.push({
      type: 'offer.created',
      ...ids(task, agentId),
      data: {
        offer: dto,
        channel: task.channel,
        via: opts.via,
        waitMs,
        timeoutMs: timeoutS * 1000,
        attempt: Number(task.offer_count),
      },
    });
  }
  events.push(...(await refreshAgent(q, agentId, now, 'routing')).events);
  return { events, offer: dto, task };
}

export interface OfferRequest {
  taskId: string;
  agentId: string;
  /** The offer's timeout, already resolved (queue setting or the channel's default). */
  timeoutS: number;
}

export type OfferResult = Awaited<ReturnType<typeof offerTask>>;

/**
 * `offerTask` for many (locked) tasks and (locked) agents at once, none auto-accepted, from rows
 * the caller read under those locks (`known`: each task with its ticket, each agent as a refresh
 * reads it): every row the offers change is known, so the tasks, offers and offer timers are one
 * held-back statement (no answer needed: it rides with the final statement and its COMMIT) and the
 * agents' new states one more. Results and events come in the order of `requests`.
 */
export async function offerTasks(
  q: Query,
  requests: readonly OfferRequest[],
  opts: {
    now: Date;
    via: 'push' | 'serve_next';
    known: {
      tasks: ReadonlyMap<string, { task: TaskRow; ticket: TicketRow }>;
      agents: ReadonlyMap<string, AgentRow & { active: number }>;
    };
  },
): Promise<{ events: NewEvent[]; results: OfferResult[] }> {
  if (requests.length === 0) return { events: [], results: [] };
  const { now, known } = opts;
  const offered = requests.map((r) => {
    const locked = known.tasks.get(r.taskId);
    const agent = known.agents.get(r.agentId);
    if (!locked || !agent) throw new Error(`task ${r.taskId} or agent ${r.agentId} is not locked`);
    const task: TaskRow = {
      ...locked.task,
      status: 'offered',
      agent_id: r.agentId,
      offer_count: Number(locked.task.offer_count) + 1,
    };
    const offer: OfferRow = {
      id: randomUUID(),
      task_id: r.taskId,
      agent_id: r.agentId,
      status: 'pending',
      auto_accepted: false,
      offered_at: now,
      expires_at: addMs(now, r.timeoutS * 1000),
      answered_at: null,
      reason: null,
    };
    return { req: r, task, offer, ticket: ticketSummary(locked.ticket), agent };
  });
  await writeLater(
    q,
    `with p as (
       select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[])
         as p(offer_id, task_id, agent_id, expires_at)
     ), up as (
       update tasks x set status = 'offered', agent_id = p.agent_id, offer_count = x.offer_count + 1
       from p where x.id = p.task_id
     ), ins as (
       insert into offers (id, task_id, agent_id, status, auto_accepted, offered_at, expires_at)
       select offer_id, task_id, agent_id, 'pending', false, $5, expires_at from p
     )
     insert into timers (key, kind, due_at, agent_id, task_id, offer_id, data)
     select 'offer:' || offer_id, 'offer_timeout', expires_at, agent_id, task_id, offer_id,
       '{}'::jsonb from p
     on conflict (key) do update set due_at = excluded.due_at, data = excluded.data`,
    [
      offered.map((o) => o.offer.id),
      offered.map((o) => o.task.id),
      offered.map((o) => o.offer.agent_id),
      offered.map((o) => o.offer.expires_at),
      now,
    ],
  );
  const events: NewEvent[] = [];
  const results: OfferResult[] = [];
  for (const { req, task, offer, ticket } of offered) {
    const dto = offerDto(offer, task, ticket);
    const event: NewEvent = {
      type: 'offer.created',
      ...ids(task, req.agentId),
      data: {
        offer: dto,
        channel: task.channel,
        via: opts.via,
        waitMs: msBetween(task.created_at, now),
        timeoutMs: req.timeoutS * 1000,
        attempt: Number(task.offer_count),
      },
    };
    events.push(event);
    results.push({ events: [event], offer: dto, task });
  }
  // Each offered agent now has this pending offer; an offer does not change their active tasks.
  const agents = await applyRefresh(
    q,
    offered.map((o) => ({ ...o.agent, has_offer: true })),
    now,
    'routing',
  );
  events.push(...agents.events);
  return { events, results };
}

/**
 * Locks an offer with its task and ticket, in the hub's lock order (task, ticket, agent, offer):
 * the task and ticket first (found through the offer, read without locking it), then the agent
 * and the offer together.
 */
async function lockOffer(
  q: Query,
  offerId: string,
): Promise<{ offer: OfferRow; task: TaskRow; ticket: TicketRow; txNow: string } | undefined> {
  // One statement: rows are locked in the order of the FROM list; a row that changed while we
  // waited for its lock is read again in its latest version (PostgreSQL's recheck), so the offer
  // and task are as committed when the locks are ours.
  const row = (
    await q<{ task: TaskRow; offer: OfferRow; ticket: TicketRow; tx_now: string }>(
      `select to_jsonb(t) as task, to_jsonb(o) as offer,
         to_jsonb(k) || jsonb_build_object('customer_name', c.name) as ticket,
         to_jsonb(now()) as tx_now
       from offers f
       join tasks t on t.id = f.task_id
       join tickets k on k.id = t.ticket_id
       join customers c on c.id = k.customer_id
       join agents a on a.id = f.agent_id
       join offers o on o.id = f.id
       where f.id = $1
       for update of t, k, a, o`,
      [offerId],
    )
  )[0];
  return row
    ? { offer: row.offer, task: row.task, ticket: row.ticket, txNow: row.tx_now }
    : undefined;
}

/** Puts a task back in its queue. It keeps its entry time, so it is at the head of its queue. */
export async function requeueTask(
  q: Query,
  task: TaskRow,
  now: Date,
  reason: string,
  extra: Record<string, unknown> = {},
): Promise<NewEvent[]> {
  const events: NewEvent[] = [];
  const previousAgent = task.agent_id;
  await writeLater(
    q,
    `update tasks set status = 'queued', agent_id = null, assigned_at = null where id = $1`,
    [task.id],
  );
  if (task.status === 'assigned' || task.status === 'wrapping') {
    const rows = await q<{ id: string }>(
      `update tickets set assignee_id = null, version = version + 1, assignee_version = version + 1,
         updated_at = now()
       where id = $1 and assignee_id = $2 returning id`,
      [task.ticket_id, previousAgent],
    );
    if (rows[0]) {
      const ticket = await loadTicketSummary(q, task.ticket_id);
      events.push({
        type: 'ticket.unassigned',
        ...ids(task, previousAgent),
        data: { ticket, reason },
      });
    }
  }
  events.push({
    type: 'task.requeued',
    ...ids(task, previousAgent),
    data: {
      channel: task.channel,
      reason,
      priority: Number(task.priority),
      enteredAt: iso(task.created_at),
      waitMs: msBetween(task.created_at, now),
      ...extra,
    },
  });
  return events;
}

/** Closes a pending offer with an outcome and returns the task to the head of its queue. */
async function closeOffer(
  q: Query,
  offer: OfferRow,
  task: TaskRow,
  now: Date,
  outcome: 'rejected' | 'timed_out' | 'revoked',
  reason: string | null,
  by: string | null,
): Promise<NewEvent[]> {
  await writeLater(
    q,
    `update offers set status = $2, answered_at = $3, reason = $4 where id = $1`,
    [offer.id, outcome, now, reason],
  );
  await cancelTimer(q, `offer:${offer.id}`);
  const ringMs = msBetween(offer.offered_at, now);
  const type =
    outcome === 'rejected'
      ? 'offer.rejected'
      : outcome === 'timed_out'
        ? 'offer.timed_out'
        : 'offer.revoked';
  const events: NewEvent[] = [
    {
      type,
      ...ids(task, offer.agent_id),
      data: {
        offerId: offer.id,
        channel: task.channel,
        ringMs,
        waitMs: msBetween(task.created_at, now),
        reason,
        ...(by ? { by } : {}),
      },
    },
  ];
  if (task.status === 'offered' && task.agent_id === offer.agent_id) {
    events.push(...(await requeueTask(q, task, now, outcome, { offerId: offer.id })));
  }
  return events;
}

/** POST /offers/{id}/accept: the task becomes the agent's, the ticket moves to them. */
export async function acceptOffer(
  q: Query,
  agentId: string,
  offerId: string,
  now: Date,
): Promise<{ events: NewEvent[]; task: TaskRow; ticket: TicketSummary }> {
  const locked = await lockOffer(q, offerId);
  if (!locked || locked.offer.agent_id !== agentId)
    throw new HubError('not_found', 'offer not found');
  const { offer, task } = locked;
  if (offer.status !== 'pending') {
    throw new HubError('offer_not_pending', `the offer is ${offer.status.replace('_', ' ')}`, {
      status: offer.status,
    });
  }
  // The offer, its timer, the task and the agent's idle clock in one statement, which also reads
  // the (locked) agent as the refresh needs it after these writes: this offer no longer pending,
  // one more active task (its subqueries do not see the statement's own writes: the offer is
  // still pending and the task still offered there).
  const { agent_refresh: agentRow, ...updated } = (
    await q<TaskRow & { agent_refresh: RefreshRow | null }>(
      `with o as (
         update offers set status = 'accepted', answered_at = $2 where id = $3 returning id
       ), tm as (
         delete from timers where key = 'offer:' || $3::text
       ), ag as (
         update agents set idle_since = $2, missed_offers = 0 where id = $4 returning *
       )
       update tasks set status = 'assigned', assigned_at = $2 where id = $1
       returning *, (select to_jsonb(ag) || jsonb_build_object(
           'has_offer', exists (select 1 from offers x where x.agent_id = $4
                                and x.status = 'pending' and x.id <> $3),
           'active', 1 + ${activeTasksSql('$4')})
         from ag) as agent_refresh`,
      [task.id, now, offerId, agentId],
    )
  )[0]!;
  if (!agentRow) throw new HubError('not_found', 'agent not found');
  const ringMs = msBetween(offer.offered_at, now);
  const waitMs = msBetween(task.created_at, now);
  // The ticket is locked and known (with the transaction's now()): its update needs no answer
  // and rides with the final statement.
  await writeLater(
    q,
    `update tickets set assignee_id = $2, version = version + 1, updated_at = now(),
       assignee_version = ${ASSIGNEE_VERSION} where id = $1`,
    [task.ticket_id, agentId],
  );
  const ticket = ticketSummary({
    ...locked.ticket,
    assignee_id: agentId,
    version: Number(locked.ticket.version) + 1,
    updated_at: locked.txNow,
  });
  const assigned = {
    ticket,
    events: assignmentEvents(updated, agentId, ticket, {
      offerId,
      autoAccepted: false,
      via: 'push',
      waitMs,
      ringMs,
      attempt: Number(task.offer_count),
    }),
  };
  const events: NewEvent[] = [
    {
      type: 'offer.accepted',
      ...ids(task, agentId),
      data: { offerId, channel: task.channel, ringMs, waitMs },
    },
    ...assigned.events,
  ];
  events.push(...(await applyRefresh(q, [agentRow], now, 'routing')).events);
  return { events, task: updated, ticket: assigned.ticket };
}

/** POST /offers/{id}/reject: back to the head of the queue; this agent is skipped for the task. */
export async function rejectOffer(
  q: Query,
  agentId: string,
  offerId: string,
  reason: string | null,
  now: Date,
): Promise<NewEvent[]> {
  const locked = await lockOffer(q, offerId);
  if (!locked || locked.offer.agent_id !== agentId)
    throw new HubError('not_found', 'offer not found');
  if (locked.offer.status !== 'pending') {
    throw new HubError(
      'offer_not_pending',
      `the offer is ${locked.offer.status.replace('_', ' ')}`,
      {
        status: locked.offer.status,
      },
    );
  }
  const events = await closeOffer(q, locked.offer, locked.task, now, 'rejected', reason, agentId);
  await writeLater(q, 'update agents set missed_offers = 0 where id = $1', [agentId]);
  events.push(...(await refreshAgent(q, agentId, now, 'routing')).events);
  return events;
}

/**
 * The offer timer fired: back to the head of the queue, agent skipped for it, and after
 * `missesBeforePause` consecutive misses the agent is paused with reason `missed_offer`.
 * A no-op when the offer was answered meanwhile.
 */
export async function expireOffer(
  q: Query,
  offerId: string,
  now: Date,
  missesBeforePause: number,
): Promise<NewEvent[]> {
  const locked = await lockOffer(q, offerId);
  if (!locked || locked.offer.status !== 'pending') return [];
  const { offer, task } = locked;
  const events = await closeOffer(q, offer, task, now, 'timed_out', null, null);
  const rows = await q<{ missed_offers: number }>(
    'update agents set missed_offers = missed_offers + 1 where id = $1 returning missed_offers',
    [offer.agent_id],
  );
  let cause = 'routing';
  if (Number(rows[0]!.missed_offers) >= missesBeforePause) {
    await q(
      `update agents set selected_state = 'paused', selected_reason = 'missed_offer',
         missed_offers = 0, next_state = null, next_reason = null
       where id = $1 and selected_state = 'available'`,
      [offer.agent_id],
    );
    cause = 'missed_offers';
  }
  events.push(...(await refreshAgent(q, offer.agent_id, now, cause)).events);
  return events;
}

/** Revokes an offer (supervisor, or the hub when the agent disconnects or pauses). Not a skip. */
export async function revokeOffer(
  q: Query,
  offerId: string,
  now: Date,
  reason: string,
  by: string | null,
): Promise<NewEvent[]> {
  const locked = await lockOffer(q, offerId);
  if (!locked) throw new HubError('not_found', 'offer not found');
  if (locked.offer.status !== 'pending') {
    throw new HubError(
      'offer_not_pending',
      `the offer is ${locked.offer.status.replace('_', ' ')}`,
      {
        status: locked.offer.status,
      },
    );
  }
  const events = await closeOffer(q, locked.offer, locked.task, now, 'revoked', reason, by);
  events.push(...(await refreshAgent(q, locked.offer.agent_id, now, reason)).events);
  return events;
}

/** Revokes the agent's pending offer, if any (the agent row is locked by the caller). */
export async function revokeAgentOffers(
  q: Query,
  agentId: string,
  now: Date,
  reason: string,
): Promise<NewEvent[]> {
  const pending = await q<{ id: string }>(
    `select id from offers where agent_id = $1 and status = 'pending'`,
    [agentId],
  );
  const events: NewEvent[] = [];
  for (const p of pending) events.push(...(await revokeOffer(q, p.id, now, reason, null)));
  return events;
}

/** Timer: the task waited longer than its queue's maximum. A pending offer is revoked first. */
export async function timeOutTask(q: Query, taskId: string, now: Date): Promise<NewEvent[]> {
  const task = (
    await q<TaskRow>(
      `select t.* from tasks t join tickets k on k.id = t.ticket_id where t.id = $1
       for update of t, k`,
      [taskId],
    )
  )[0];
  if (!task || (task.status !== 'queued' && task.status !== 'offered')) return [];
  const events: NewEvent[] = [];
  if (task.status === 'offered') {
    const pending = await q<OfferRow>(
      `select * from offers where task_id = $1 and status = 'pending' for update`,
      [taskId],
    );
    if (pending[0]) {
      await q(
        `update offers set status = 'revoked', answered_at = $2, reason = 'task_timed_out' where id = $1`,
        [pending[0].id, now],
      );
      await cancelTimer(q, `offer:${pending[0].id}`);
      events.push({
        type: 'offer.revoked',
        ...ids(task, pending[0].agent_id),
        data: {
          offerId: pending[0].id,
          channel: task.channel,
          ringMs: msBetween(pending[0].offered_at, now),
          waitMs: msBetween(task.created_at, now),
          reason: 'task_timed_out',
        },
      });
    }
  }
  await q(
    `update tasks set status = 'timed_out', agent_id = null, completed_at = $2 where id = $1`,
    [taskId, now],
  );
  events.push({
    type: 'task.timed_out',
    ...ids(task, null),
    data: {
      channel: task.channel,
      waitMs: msBetween(task.created_at, now),
      enteredAt: iso(task.created_at),
    },
  });
  if (task.status === 'offered' && task.agent_id) {
    events.push(...(await refreshAgent(q, task.agent_id, now, 'routing')).events);
  }
  return events;
}
