import { Role, type AgentProfile, type AgentStatus } from '../../shared/domain/index.js';
import { iso } from '../time.js';

export interface AgentRow {
  [key: string]: unknown;
  id: string;
  login: string;
  name: string;
  password_hash: string;
  roles: string[];
  state: 'available' | 'paused' | 'offline';
  state_reason: string | null;
  state_since: Date | string;
}

export function agentProfile(row: AgentRow): AgentProfile {
  return {
    id: row.id,
    login: row.login,
    name: row.name,
    roles: row.roles.filter((r): r is Role => Role.safeParse(r).success),
  };
}

export function agentStatus(row: AgentRow): AgentStatus {
  return {
    agentId: row.id,
    state: row.state,
    reason: row.state_reason,
    since: iso(row.state_since),
  };
}
