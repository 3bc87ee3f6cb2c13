import { create } from 'zustand';
import { type ConnectionState } from '../../shared/bridge/contract.js';

interface ConnectionStore {
  connection: ConnectionState | null;
}

/** main's connection to the hub, as reported by connection.get / connection.changed. */
export const useConnectionStore = create<ConnectionStore>()(() => ({ connection: null }));
