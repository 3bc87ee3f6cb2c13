import { z } from 'zod';

export const Role = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/** States an agent may choose. The routing issue adds system states (offered, busy, wrap_up, disconnected). */
export const SelectableAgentState = z.enum(['available', 'paused', 'offline']);
export type SelectableAgentState = z.infer<typeof SelectableAgentState>;

export const AgentStateName = z.enum(['available', 'paused', 'offline']);
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
});
export type AgentStatus = z.infer<typeof AgentStatus>;
