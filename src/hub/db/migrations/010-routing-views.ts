/**
 * Version 10: "tasks this agent was assigned today" (the matcher's tie-break, read for every
 * locked agent on every routing pass) as a range of one index instead of a walk over all of the
 * agent's tasks, whose number only grows.
 */
export const sql = `
create index tasks_agent_assigned_idx on tasks (agent_id, assigned_at) where assigned_at is not null;
`;
