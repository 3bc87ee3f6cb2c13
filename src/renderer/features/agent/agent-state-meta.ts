import { type TFunction } from 'i18next';
import { type AgentStatus, type SelectableAgentState } from '../../../shared/domain/agent.js';
import { isPauseReason } from '../../stores/agent-store.js';
import { useRoutingStore } from '../../stores/routing-store.js';

export const STATE_ORDER: SelectableAgentState[] = ['available', 'paused', 'offline'];

/**
 * Colours by state name. Beyond the three the agent chooses, the hub may report system states
 * (busy, wrap-up, an offer waiting…); unknown names fall back to grey rather than break.
 */
const STATE_COLOR: Record<string, string> = {
  available: 'teal',
  paused: 'orange',
  offline: 'gray',
  logged_out: 'gray',
  offered: 'blue',
  busy: 'indigo',
  wrap_up: 'violet',
  disconnected: 'red',
};
export const stateColor = (state: string): string => STATE_COLOR[state] ?? 'gray';

export const isSelectableState = (state: string): state is SelectableAgentState =>
  (STATE_ORDER as string[]).includes(state);

/** Alt+1/2/3, by physical key so it works on every keyboard layout and on macOS (⌥ types symbols). */
export const STATE_KEY: Record<SelectableAgentState, { code: string; label: string }> = {
  available: { code: 'Digit1', label: '1' },
  paused: { code: 'Digit2', label: '2' },
  offline: { code: 'Digit3', label: '3' },
};

/** Known reasons are shown translated; others with the hub's label (an admin's own reasons). */
export function reasonLabel(t: TFunction, reason: string): string {
  if (isPauseReason(reason)) return t(`agentState.reasons.${reason}`);
  return useRoutingStore.getState().pauseReasons.find((r) => r.code === reason)?.label ?? reason;
}

export function statusLabel(t: TFunction, status: AgentStatus | null): string {
  if (!status) return '…';
  if (status.state === 'paused' && status.reason) {
    return t('agentState.pausedWithReason', { reason: reasonLabel(t, status.reason) });
  }
  return t(`agentState.${status.state}`, { defaultValue: status.state });
}
