import { type Query, writeLater } from '../db/db.js';

export type TimerKind =
  'offer_timeout' | 'wrap_up_end' | 'presence_lost' | 'return_work' | 'task_max_wait';

export interface NewTimer {
  /** One live timer per key (e.g. `offer:<id>`, `wrap:<agentId>`); scheduling again moves it. */
  key: string;
  kind: TimerKind;
  dueAt: Date;
  agentId?: string | null;
  taskId?: string | null;
  offerId?: string | null;
  data?: Record<string, unknown>;
}

export interface TimerRow {
  [key: string]: unknown;
  id: string;
  key: string;
  kind: TimerKind;
  due_at: Date | string;
  agent_id: string | null;
  task_id: string | null;
  offer_id: string | null;
  data: Record<string, unknown>;
}

/** Schedules (or re-schedules) a timer inside the caller's transaction: it exists iff that commits. */
export async function scheduleTimer(q: Query, t: NewTimer): Promise<void> {
  await writeLater(
    q,
    `insert into timers (key, kind, due_at, agent_id, task_id, offer_id, data)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb)
     on conflict (key) do update set due_at = excluded.due_at, data = excluded.data`,
    [
      t.key,
      t.kind,
      t.dueAt,
      t.agentId ?? null,
      t.taskId ?? null,
      t.offerId ?? null,
      JSON.stringify(t.data ?? {}),
    ],
  );
}

export async function cancelTimer(q: Query, key: string): Promise<void> {
  await writeLater(q, 'delete from timers where key = $1', [key]);
}
