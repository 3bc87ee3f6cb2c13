import { z } from 'zod';

export const Role = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/** States an agent may choose. */
export const SelectableAgentState = z.enum(['available', 'paused', 'offline']);
export type SelectableAgentState = z.infer<typeof SelectableAgentState>;

/**
 * Every state the hub reports. Besides the selectable ones, system states: `logged_out` (no
 * session), `offered` (an offer waits for the agent's answer), `busy` (working on assigned tasks),
 * `wrap_up` (after-call work), `disconnected` (heartbeat lost). The hub derives them.
 */
export const AgentStateName = z.enum([
  'available',
  'paused',
  'offline',
  'logged_out',
  'offered',
  'busy',
  'wrap_up',
  'disconnected',
]);
export type AgentStateName = z.infer<typeof AgentStateName>;

export const AgentProfile = z.object({
  id: z.string().uuid(),
  login: z.string(),
  name: z.string(),
  roles: z.array(Role).min(1),
});
export type AgentProfile = z.infer<typeof AgentProfile>;

export const AgentStatus = z.object({
  agentId: z.string().uuid(),
  state: AgentStateName,
  reason: z.string().nullable(),
  since: z.string().datetime(),
  /** State to enter when the current work (tasks and wrap-up) is done; null = none. */
  next: z.object({ state: SelectableAgentState, reason: z.string().nullable() }).nullish(),
  /** While in wrap-up: when it ends (hub timer), and whether it was extended already. */
  wrapUpUntil: z.string().datetime().nullish(),
  wrapUpExtended: z.boolean().optional(),
});
export type AgentStatus = z.infer<typeof AgentStatus>;
