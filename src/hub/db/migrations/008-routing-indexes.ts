/**
 * Version 8: indexes for the routing pass's per-agent and per-queue checks. The live-load count
 * ("tasks this agent holds on this channel") ran for every ready agent of a queue on every pass
 * and walked all of the agent's tasks, completed ones included; the queued-pair index answers
 * "is anything waiting in this queue on this channel" without reading the backlog.
 */
export const sql = `
create index tasks_live_agent_idx on tasks (agent_id, channel)
  where status in ('offered', 'assigned', 'wrapping');
create index tasks_queued_pair_idx on tasks (queue_id, channel) where status = 'queued';
`;
