import { type Query } from '../db/db.js';

/**
 * The id at or below which events are no longer kept (0 = the whole log is kept). A stream that
 * asks to resume below it is answered `cursor_too_old`. A retention job that prunes the log must
 * raise it in the same transaction as the delete.
 */
export async function retainedHorizon(q: Query): Promise<number> {
  const rows = await q<{ pruned_through: string | number }>(
    'select pruned_through from event_retention',
  );
  return Number(rows[0]?.pruned_through ?? 0);
}

/** Raises the horizon (never lowers it). */
export async function raiseHorizon(q: Query, throughId: number): Promise<void> {
  await q('update event_retention set pruned_through = greatest(pruned_through, $1)', [throughId]);
}
