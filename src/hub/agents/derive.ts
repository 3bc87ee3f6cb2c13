import { type AgentStateName, type SelectableAgentState } from '../../shared/domain/index.js';

export interface StateFacts {
  selected: 'logged_out' | SelectableAgentState;
  reason: string | null;
  disconnected: boolean;
  wrapping: boolean;
  pendingOffer: boolean;
  /** Tasks assigned to the agent (wrapping ones included). */
  activeTasks: number;
}

/**
 * The state the hub shows for an agent, from what they chose and what the system knows. Order
 * matters: no session beats everything, a lost connection beats work, wrap-up beats a pending
 * pause (the pause shows once wrap-up ends), an offer beats busy.
 */
export function deriveState(f: StateFacts): { state: AgentStateName; reason: string | null } {
  if (f.selected === 'logged_out') return { state: 'logged_out', reason: null };
  if (f.disconnected) return { state: 'disconnected', reason: null };
  if (f.wrapping) return { state: 'wrap_up', reason: null };
  if (f.pendingOffer) return { state: 'offered', reason: null };
  if (f.selected === 'paused') return { state: 'paused', reason: f.reason };
  if (f.selected === 'offline') return { state: 'offline', reason: null };
  if (f.activeTasks > 0) return { state: 'busy', reason: null };
  return { state: 'available', reason: null };
}

/** States in which the agent counts as idle for "longest idle" (entering one of them from elsewhere restarts the clock). */
export const WORKING_OR_IDLE: ReadonlySet<AgentStateName> = new Set([
  'available',
  'busy',
  'offered',
]);
