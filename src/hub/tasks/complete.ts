import { applyRefresh, refreshAgent, type RefreshRow } from '../agents/state.js';
import { addMs, msBetween, toDate } from '../clock.js';
import { type Query, writeLater } from '../db/db.js';
import { HubError } from '../errors.js';
import { type NewEvent } from '../events/append.js';
import { type TaskRow } from '../routing/offers.js';
import { queueRow, type QueueRow } from '../routing/queues.js';
import { cancelTimer, scheduleTimer } from '../timers/store.js';
import { iso } from '../time.js';

export type EndedBy = 'agent' | 'timer' | 'supervisor' | 'disconnected' | 'next_wrap_up' | 'close';

function checkTopic(queue: QueueRow, topic: string | null): void {
  if (topic !== null && queue.topics.length > 0 && !queue.topics.includes(topic)) {
    throw new HubError('bad_request', `"${topic}" is not one of this queue's topics`, {
      topics: queue.topics,
    });
  }
}

function taskCompletedEvent(
  task: TaskRow,
  now: Date,
  data: { topic: string | null; workEndedAt: Date; endedBy: EndedBy; by: string | null },
): NewEvent {
  const assignedAt = task.assigned_at ?? task.created_at;
  return {
    type: 'task.completed',
    agentId: task.agent_id,
    ticketId: task.ticket_id,
    taskId: task.id,
    queueId: task.queue_id,
    data: {
      status: 'completed',
      channel: task.channel,
      topic: data.topic,
      enteredAt: iso(task.created_at),
      assignedAt: task.assigned_at === null ? null : iso(task.assigned_at),
      /** Time the agent worked the task (talk for calls), without wrap-up. */
      workMs: msBetween(assignedAt, data.workEndedAt),
      /** After-call work. AHT = workMs + wrapUpMs. */
      wrapUpMs: msBetween(data.workEndedAt, now),
      endedBy: data.endedBy,
      ...(data.by ? { closedBy: data.by } : {}),
    },
  };
}

/**
 * Ends the agent's wrap-up: its task is completed (with the topic), the agent's state follows
 * (a "next state" such as a pause applies now). `topic` is required when the queue says so,
 * unless the hub ends it (timer, disconnect, supervisor).
 */
export async function endWrapUp(
  q: Query,
  agentId: string,
  now: Date,
  opts: { topic: string | null; endedBy: EndedBy; by?: string | null },
): Promise<NewEvent[]> {
  const agent = (
    await q<{
      wrap_task_id: string | null;
      wrap_until: Date | null;
      wrap_started_at: Date | null;
      wrap_extended: boolean;
    }>('select * from agents where id = $1 for update', [agentId])
  )[0];
  if (!agent?.wrap_task_id || agent.wrap_until === null) {
    throw new HubError('invalid_state', 'you are not in wrap-up');
  }
  const task = (
    await q<TaskRow>('select * from tasks where id = $1 for update', [agent.wrap_task_id])
  )[0];
  const events: NewEvent[] = [];
  const topic = opts.topic ?? task?.topic ?? null;
  if (task) {
    const queue = (await queueRow(q, task.queue_id))!;
    checkTopic(queue, opts.topic);
    if (queue.topic_required && topic === null && opts.endedBy === 'agent') {
      throw new HubError('topic_required', 'this queue needs a topic to end wrap-up', {
        topics: queue.topics,
      });
    }
    if (task.status === 'wrapping') {
      await q(
        `update tasks set status = 'completed', completed_at = $2, topic = $3 where id = $1`,
        [task.id, now, topic],
      );
      events.push(
        taskCompletedEvent(task, now, {
          topic,
          workEndedAt: task.wrap_started_at ? toDate(task.wrap_started_at) : now,
          endedBy: opts.endedBy,
          by: opts.by ?? null,
        }),
      );
    }
  }
  await q(
    `update agents set wrap_task_id = null, wrap_until = null, wrap_started_at = null,
       wrap_extended = false where id = $1`,
    [agentId],
  );
  await cancelTimer(q, `wrap:${agentId}`);
  events.unshift({
    type: 'agent.wrap_up_ended',
    agentId,
    ticketId: task?.ticket_id ?? null,
    taskId: task?.id ?? null,
    queueId: task?.queue_id ?? null,
    data: {
      topic,
      durationMs: msBetween(agent.wrap_started_at ?? now, now),
      extended: agent.wrap_extended,
      endedBy: opts.endedBy,
      channel: task?.channel ?? null,
    },
  });
  events.push(...(await refreshAgent(q, agentId, now, 'wrap_up')).events);
  return events;
}

/**
 * Completes an assigned task. With wrap-up time on its queue the agent enters `wrap_up` (a timer
 * row ends it) and the task is `wrapping` until then; otherwise it is completed at once.
 * The task row must be locked by the caller.
 */
export async function completeTask(
  q: Query,
  task: TaskRow,
  now: Date,
  opts: {
    topic: string | null;
    by: string | null;
    endedBy: EndedBy;
    requireTopic: boolean;
    /** The task's queue when the caller read it already (saves a statement). */
    queue?: QueueRow;
    /**
     * The agent's refresh row, read under its lock before this completion (saves a statement
     * when the task completes without wrap-up).
     */
    refreshed?: RefreshRow;
  },
): Promise<NewEvent[]> {
  if (task.status !== 'assigned' || task.agent_id === null) {
    throw new HubError('invalid_state', `the task is ${task.status}, not assigned`, {
      status: task.status,
    });
  }
  const queue = opts.queue ?? (await queueRow(q, task.queue_id))!;
  checkTopic(queue, opts.topic);
  const agentId = task.agent_id;
  const wrapS = Number(queue.wrap_up_seconds);
  if (wrapS === 0 && queue.topic_required && opts.topic === null && opts.requireTopic) {
    throw new HubError('topic_required', 'this queue needs a topic to complete the task', {
      topics: queue.topics,
    });
  }
  const events: NewEvent[] = [];
  // Without wrap-up the agent row is only touched by refreshAgent, which locks it (after the
  // task, in the hub's lock order); with wrap-up it is updated below, so lock it first.
  if (wrapS > 0) await q('select id from agents where id = $1 for update', [agentId]);
  if (wrapS === 0) {
    await writeLater(
      q,
      `update tasks set status = 'completed', completed_at = $2, topic = $3 where id = $1`,
      [task.id, now, opts.topic],
    );
    events.push(
      taskCompletedEvent(task, now, {
        topic: opts.topic,
        workEndedAt: now,
        endedBy: opts.endedBy,
        by: opts.by,
      }),
    );
    const pre = opts.refreshed?.id === agentId ? opts.refreshed : undefined;
    events.push(
      ...(pre
        ? // Read before this task stopped keeping the agent busy.
          await applyRefresh(q, [{ ...pre, active: Number(pre.active) - 1 }], now, 'task_completed')
        : await refreshAgent(q, agentId, now, 'task_completed')
      ).events,
    );
    return events;
  }
  const current = await q<{ wrap_task_id: string | null }>(
    'select wrap_task_id from agents where id = $1',
    [agentId],
  );
  if (current[0]?.wrap_task_id) {
    events.push(...(await endWrapUp(q, agentId, now, { topic: null, endedBy: 'next_wrap_up' })));
  }
  const until = addMs(now, wrapS * 1000);
  await writeLater(
    q,
    `update tasks set status = 'wrapping', wrap_started_at = $2, topic = $3 where id = $1`,
    [task.id, now, opts.topic],
  );
  await writeLater(
    q,
    `update agents set wrap_task_id = $2, wrap_until = $3, wrap_started_at = $4,
       wrap_extended = false where id = $1`,
    [agentId, task.id, until, now],
  );
  await scheduleTimer(q, {
    key: `wrap:${agentId}`,
    kind: 'wrap_up_end',
    dueAt: until,
    agentId,
    taskId: task.id,
  });
  events.push({
    type: 'agent.wrap_up_started',
    agentId,
    ticketId: task.ticket_id,
    taskId: task.id,
    queueId: task.queue_id,
    data: {
      channel: task.channel,
      seconds: wrapS,
      until: iso(until),
      topicRequired: queue.topic_required,
      workMs: msBetween(task.assigned_at ?? task.created_at, now),
    },
  });
  events.push(...(await refreshAgent(q, agentId, now, 'wrap_up')).events);
  return events;
}

/** Extends the running wrap-up once (by `seconds`, default the queue's wrap-up time). */
export async function extendWrapUp(
  q: Query,
  agentId: string,
  now: Date,
  seconds: number | undefined,
): Promise<NewEvent[]> {
  const agent = (
    await q<{
      wrap_task_id: string | null;
      wrap_until: Date | string | null;
      wrap_extended: boolean;
    }>('select * from agents where id = $1 for update', [agentId])
  )[0];
  if (!agent?.wrap_task_id || agent.wrap_until === null) {
    throw new HubError('invalid_state', 'you are not in wrap-up');
  }
  if (agent.wrap_extended) throw new HubError('invalid_state', 'wrap-up can be extended once');
  const task = (await q<TaskRow>('select * from tasks where id = $1', [agent.wrap_task_id]))[0]!;
  const queue = (await queueRow(q, task.queue_id))!;
  const addS = seconds ?? Number(queue.wrap_up_seconds);
  const until = addMs(toDate(agent.wrap_until), addS * 1000);
  await q('update agents set wrap_until = $2, wrap_extended = true where id = $1', [
    agentId,
    until,
  ]);
  await scheduleTimer(q, {
    key: `wrap:${agentId}`,
    kind: 'wrap_up_end',
    dueAt: until,
    agentId,
    taskId: task.id,
  });
  return [
    {
      type: 'agent.wrap_up_extended',
      agentId,
      ticketId: task.ticket_id,
      taskId: task.id,
      queueId: task.queue_id,
      data: { seconds: addS, until: iso(until), channel: task.channel },
    },
  ];
}
