import { create } from 'zustand';
import { type LoginInput, type SessionState } from '../../shared/bridge/contract.js';
import { api } from '../bridge/index.js';

interface SessionStore {
  /** null until main has told us whether someone is signed in. */
  session: SessionState | null;
  signingIn: boolean;
  signingOut: boolean;
  /** Throws the BridgeError so the login form can explain it per code. */
  login(input: LoginInput): Promise<void>;
  logout(): Promise<void>;
}

export const useSessionStore = create<SessionStore>()((set) => ({
  session: null,
  signingIn: false,
  signingOut: false,
  async login(input) {
    set({ signingIn: true });
    try {
      const session = await api().call('session.login', input);
      set({ session });
    } finally {
      set({ signingIn: false });
    }
  },
  async logout() {
    set({ signingOut: true });
    try {
      set({ session: await api().call('session.logout', {}) });
    } finally {
      set({ signingOut: false });
    }
  },
}));

export const selectAgent = (s: SessionStore) =>
  s.session?.status === 'signed_in' ? s.session.agent : null;
