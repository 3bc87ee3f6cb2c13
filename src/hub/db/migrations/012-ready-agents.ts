/**
 * Version 12: the ready agents in the order routing wants them (longest idle first), so a routing
 * pass walks the first few of a queue's members instead of sorting all of them (claim.ts,
 * lockAgentsSql). Partial: only agents that can take work at all are in it.
 */
export const sql = `
create index agents_ready_idle_idx on agents (idle_since nulls first, id)
  where selected_state = 'available' and disconnected_at is null and wrap_until is null;
`;
