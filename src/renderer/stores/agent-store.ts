import { create } from 'zustand';
import { type AgentStatus, type SelectableAgentState } from '../../shared/domain/agent.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';

export const PAUSE_REASONS = ['break', 'training', 'administrative', 'back_office'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
export const isPauseReason = (value: unknown): value is PauseReason =>
  typeof value === 'string' && (PAUSE_REASONS as readonly string[]).includes(value);

const REASON_KEY = 'concierge.pauseReason';

const storedReason = (): PauseReason => {
  try {
    const value = window.localStorage.getItem(REASON_KEY);
    return isPauseReason(value) ? value : 'break';
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
  pauseReason: PauseReason;
  setPauseReason(reason: PauseReason): void;
  setState(state: SelectableAgentState): Promise<void>;
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
  async setState(state) {
    if (get().pending) return;
    set({ pending: state, error: null });
    try {
      const status = await api().call(
        'agent.setState',
        state === 'paused' ? { state, reason: get().pauseReason } : { state },
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
