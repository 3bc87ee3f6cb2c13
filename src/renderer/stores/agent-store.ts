import { create } from 'zustand';
import { type AgentStatus, type SelectableAgentState } from '../../shared/domain/agent.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';

/** Reasons offered until the hub's list has loaded (the hub's list is the truth). */
export const PAUSE_REASONS = ['break', 'training', 'administrative', 'back_office'] as const;
/** Reason codes with texts of their own in every language; others show the hub's label. */
export const KNOWN_PAUSE_REASONS = [...PAUSE_REASONS, 'callback', 'missed_offer'] as const;
export type PauseReason = (typeof KNOWN_PAUSE_REASONS)[number];
export const isPauseReason = (value: unknown): value is PauseReason =>
  typeof value === 'string' && (KNOWN_PAUSE_REASONS as readonly string[]).includes(value);
/** A pause reason code as the hub defines them (admins may add their own). */
const isReasonCode = (value: unknown): value is string =>
  typeof value === 'string' && /^[a-z][a-z0-9_]{0,39}$/.test(value);

const REASON_KEY = 'concierge.pauseReason';

const storedReason = (): string => {
  try {
    const value = window.localStorage.getItem(REASON_KEY);
    return isReasonCode(value) && value !== 'missed_offer' ? value : 'break';
  } catch {
    return 'break';
  }
};

interface AgentStore {
  status: AgentStatus | null;
  /** The state being requested, while the hub has not answered yet. */
  pending: SelectableAgentState | null;
  error: BridgeError | null;
  /** Reason used for the next pause (remembered between sessions). */
  pauseReason: string;
  setPauseReason(reason: string): void;
  /** `afterWork`: the state applies when the current work (tickets, wrap-up) is done. */
  setState(state: SelectableAgentState, options?: { afterWork?: boolean }): Promise<void>;
}

export const useAgentStore = create<AgentStore>()((set, get) => ({
  status: null,
  pending: null,
  error: null,
  pauseReason: storedReason(),
  setPauseReason(reason) {
    set({ pauseReason: reason });
    try {
      window.localStorage.setItem(REASON_KEY, reason);
    } catch {
      // not persisted; still used for this session
    }
  },
  async setState(state, options = {}) {
    if (get().pending) return;
    set({ pending: state, error: null });
    try {
      const afterWork = options.afterWork ? { afterWork: true } : {};
      const status = await api().call(
        'agent.setState',
        state === 'paused'
          ? { state, reason: get().pauseReason, ...afterWork }
          : { state, ...afterWork },
      );
      set({ status });
    } catch (error) {
      set({
        error: error instanceof BridgeError ? error : new BridgeError('internal', String(error)),
      });
    } finally {
      set({ pending: null });
    }
  },
}));
