import {
  Role,
  type AgentProfile,
  type AgentStateName,
  type AgentStatus,
  type SelectableAgentState,
} from '../../shared/domain/index.js';
import { iso, isoOrNull } from '../time.js';

export interface AgentRow {
  [key: string]: unknown;
  id: string;
  login: string;
  name: string;
  password_hash: string;
  roles: string[];
  state: AgentStateName;
  state_reason: string | null;
  state_since: Date | string;
  selected_state: 'logged_out' | SelectableAgentState;
  selected_reason: string | null;
  next_state: SelectableAgentState | null;
  next_reason: string | null;
  idle_since: Date | string | null;
  wrap_task_id: string | null;
  wrap_until: Date | string | null;
  wrap_extended: boolean;
  wrap_started_at: Date | string | null;
  last_heartbeat_at: Date | string | null;
  disconnected_at: Date | string | null;
  missed_offers: number;
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
    next: row.next_state ? { state: row.next_state, reason: row.next_reason } : null,
    wrapUpUntil: isoOrNull(row.wrap_until),
    wrapUpExtended: row.wrap_extended ?? false,
  };
}
