import { create } from 'zustand';
import { type Work } from '../../shared/domain/work.js';
import { type BridgeError } from '../../shared/bridge/errors.js';

interface WorkStore {
  work: Work | null;
  error: BridgeError | null;
  /** Ticket ids that arrived since the agent last looked at them (highlighted in the list). */
  fresh: ReadonlySet<string>;
}

export const useWorkStore = create<WorkStore>()(() => ({
  work: null,
  error: null,
  fresh: new Set<string>(),
}));
