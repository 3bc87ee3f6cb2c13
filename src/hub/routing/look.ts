import { type Row, type Statement } from '../db/db.js';

/**
 * Whether any task of a push-mode queue is waiting: the look before a routing pass after capacity
 * was freed (most such passes would find nothing to do). Run after the freeing commit, so a task
 * queued before that commit is seen and one queued after it is routed by its own arrival.
 */
export const QUEUED_PUSH_TASK: Statement = {
  text: `select exists (select 1 from tasks t join queues qu on qu.id = t.queue_id
           where t.status = 'queued' and qu.mode = 'push') as queued`,
  values: [],
};

/** The look's answer; `undefined` when it was not read (a failure after the commit). */
export const queuedFrom = (rows: readonly Row[] | undefined): boolean | undefined =>
  rows === undefined ? undefined : rows[0]?.queued === true;
