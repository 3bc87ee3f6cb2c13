import { type Channel } from '../../shared/domain/index.js';
import { type Query } from '../db/db.js';
import { type NewEvent } from '../events/append.js';
import { TICKET_SELECT, ticketSummary, type TicketRow } from '../tickets/rows.js';

export interface QueuedTask {
  [key: string]: unknown;
  id: string;
  ticket_id: string;
  queue_id: string;
  channel: Channel;
  priority: number;
}

/**
 * Locks the next queued tasks that some available member of their queue has room for, in drain
 * order (priority, then age). SKIP LOCKED lets several routers (threads of one hub or several
 * hubs) work the same backlog without waiting on or double-claiming each other's rows. The ticket
 * is locked too, so the router never waits on a row another transaction holds (e.g. a close in
 * progress) and the two cannot deadlock.
 */
export async function lockQueuedTasks(q: Query, limit: number): Promise<QueuedTask[]> {
  return q<QueuedTask>(
    `select t.id, t.ticket_id, t.queue_id, t.channel, t.priority from tasks t
     join tickets k on k.id = t.ticket_id
     where t.status = 'queued'
       and exists (select 1 from agent_queues aq
                   join agents a on a.id = aq.agent_id
                   join agent_capacity c on c.agent_id = a.id and c.channel = t.channel
                   where aq.queue_id = t.queue_id and a.state = 'available'
                     and c.capacity > (select count(*) from tasks x where x.agent_id = a.id
                       and x.channel = t.channel and x.status in ('offered', 'assigned')))
     order by t.priority desc, t.created_at, t.id
     limit $1
     for update of t, k skip locked`,
    [limit],
  );
}

/**
 * Picks and locks the agent for a task: available, member of the task's queue, with free capacity
 * for its channel; longest idle first, ties by fewest tasks today. Returns undefined if none.
 */
export async function lockBestAgent(q: Query, task: QueuedTask): Promise<string | undefined> {
  const tried: string[] = [];
  for (;;) {
    const rows = await q<{ id: string }>(
      `select a.id from agents a
       join agent_queues aq on aq.agent_id = a.id and aq.queue_id = $1
       join agent_capacity c on c.agent_id = a.id and c.channel = $2
       where a.state = 'available'
         and not (a.id = any($3::uuid[]))
         and c.capacity > (select count(*) from tasks x where x.agent_id = a.id
                           and x.channel = $2 and x.status in ('offered', 'assigned'))
       order by a.idle_since asc nulls first,
         (select count(*) from tasks y where y.agent_id = a.id
          and y.assigned_at >= date_trunc('day', now())) asc,
         a.id
       limit 1
       for update of a skip locked`,
      [task.queue_id, task.channel, tried],
    );
    const id = rows[0]?.id;
    if (!id) return undefined;
    // The filter above ran on the statement's snapshot; re-check on a fresh one now that the row
    // is locked, in case another transaction changed the agent's load just before we locked it.
    const check = await q<{ ok: boolean }>(
      `select (a.state = 'available' and c.capacity > (select count(*) from tasks x
                where x.agent_id = a.id and x.channel = $2 and x.status in ('offered', 'assigned'))) as ok
       from agents a join agent_capacity c on c.agent_id = a.id and c.channel = $2
       where a.id = $1`,
      [id, task.channel],
    );
    if (check[0]?.ok) return id;
    tried.push(id);
  }
}

/** Gives a locked task to a locked agent and returns the events describing it. */
export async function assignTask(q: Query, task: QueuedTask, agentId: string): Promise<NewEvent[]> {
  await q(
    `update tasks set status = 'assigned', agent_id = $2, assigned_at = now() where id = $1`,
    [task.id, agentId],
  );
  await q('update agents set idle_since = now() where id = $1', [agentId]);
  return assignTicketEvents(q, task, agentId);
}

/** Moves the ticket to the agent and describes the assignment (task.assigned + ticket.assigned). */
export async function assignTicketEvents(
  q: Query,
  task: Pick<QueuedTask, 'id' | 'ticket_id' | 'queue_id' | 'channel'>,
  agentId: string,
): Promise<NewEvent[]> {
  await q(
    `update tickets set assignee_id = $2, version = version + 1, updated_at = now() where id = $1`,
    [task.ticket_id, agentId],
  );
  const rows = await q<TicketRow>(`${TICKET_SELECT} where t.id = $1`, [task.ticket_id]);
  const ticket = ticketSummary(rows[0]!);
  const ids = { agentId, ticketId: task.ticket_id, taskId: task.id, queueId: task.queue_id };
  return [
    { type: 'task.assigned', ...ids, data: { channel: task.channel, ticket } },
    { type: 'ticket.assigned', ...ids, data: { ticket } },
  ];
}
