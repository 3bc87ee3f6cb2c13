import { create } from 'zustand';
import { type AppInfo } from '../../shared/bridge/contract.js';
import { type TransportStatus } from '../bridge/index.js';

interface AppStore {
  info: AppInfo | null;
  /** The renderer↔main transport itself (always 'open' in Electron). */
  transport: TransportStatus;
  /** Set when the first load from main failed, so the start screen can offer a retry. */
  startError: string | null;
}

export const useAppStore = create<AppStore>()(() => ({
  info: null,
  transport: 'connecting',
  startError: null,
}));
