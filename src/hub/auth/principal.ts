import { type AgentProfile, type Role } from '../../shared/domain/index.js';

/** Who is calling: a signed-in person, or a channel integration posting inbound messages. */
export type Principal =
  | { kind: 'agent'; agent: AgentProfile; tokenHash: string; expiresAt: Date }
  | { kind: 'integration'; tokenId: string; name: string };

/**
 * What a route requires, declared on the route itself (`config.auth`):
 * - 'public': nobody needs to sign in;
 * - 'integration': an integration token;
 * - a list of roles: a session whose agent has at least one of them.
 */
export type RouteAuth = 'public' | 'integration' | readonly Role[];

export const ANY_ROLE: readonly Role[] = ['agent', 'supervisor', 'admin'];
export const STAFF: readonly Role[] = ['supervisor', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];

export function hasAnyRole(agent: AgentProfile, roles: readonly Role[]): boolean {
  return agent.roles.some((r) => roles.includes(r));
}

/** Supervisors and admins see every ticket and every event. */
export function seesEverything(agent: AgentProfile): boolean {
  return hasAnyRole(agent, STAFF);
}
