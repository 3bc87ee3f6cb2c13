import { create } from 'zustand';
import { type TicketDetail } from '../../shared/domain/ticket.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';

const asBridgeError = (error: unknown): BridgeError =>
  error instanceof BridgeError ? error : new BridgeError('internal', String(error));

interface TicketStore {
  openId: string | null;
  detail: TicketDetail | null;
  loading: boolean;
  loadError: BridgeError | null;
  /** Unsent reply text per ticket: kept when sending fails or the agent switches tickets. */
  drafts: Record<string, string>;
  sending: boolean;
  sendError: BridgeError | null;
  closing: boolean;
  closeError: BridgeError | null;
  open(ticketId: string): Promise<void>;
  reload(): Promise<void>;
  clear(): void;
  setDraft(ticketId: string, text: string): void;
  /** Resolves true when the hub stored the reply. */
  sendReply(): Promise<boolean>;
  close(): Promise<boolean>;
  /** A ticket.changed event: newer versions of the open ticket replace what we show. */
  applyChange(detail: TicketDetail): void;
}

export const useTicketStore = create<TicketStore>()((set, get) => ({
  openId: null,
  detail: null,
  loading: false,
  loadError: null,
  drafts: {},
  sending: false,
  sendError: null,
  closing: false,
  closeError: null,

  async open(ticketId) {
    const sameTicket = get().openId === ticketId;
    set({
      openId: ticketId,
      loading: true,
      loadError: null,
      ...(sameTicket ? {} : { detail: null, sendError: null, closeError: null }),
    });
    try {
      const detail = await api().call('tickets.get', { ticketId });
      if (get().openId === ticketId) set({ detail, loading: false });
    } catch (error) {
      if (get().openId === ticketId) set({ loadError: asBridgeError(error), loading: false });
    }
  },

  async reload() {
    const id = get().openId;
    if (id) await get().open(id);
  },

  clear() {
    set({
      openId: null,
      detail: null,
      loading: false,
      loadError: null,
      sendError: null,
      closeError: null,
    });
  },

  setDraft(ticketId, text) {
    set((s) => ({ drafts: { ...s.drafts, [ticketId]: text } }));
  },

  async sendReply() {
    const { openId, drafts, sending } = get();
    const text = openId ? (drafts[openId] ?? '') : '';
    if (!openId || sending || !text.trim()) return false;
    set({ sending: true, sendError: null });
    try {
      const result = await api().call('tickets.reply', { ticketId: openId, text });
      set((s) => {
        const rest = { ...s.drafts };
        // Keep anything typed while the reply was on its way.
        if (rest[openId] === text) delete rest[openId];
        return {
          drafts: rest,
          detail: s.openId === openId ? result.detail : s.detail,
        };
      });
      return true;
    } catch (error) {
      set({ sendError: asBridgeError(error) });
      return false;
    } finally {
      set({ sending: false });
    }
  },

  async close() {
    const { openId, closing } = get();
    if (!openId || closing) return false;
    set({ closing: true, closeError: null });
    try {
      const ticket = await api().call('tickets.close', { ticketId: openId });
      set((s) => (s.detail?.ticket.id === ticket.id ? { detail: { ...s.detail, ticket } } : {}));
      return true;
    } catch (error) {
      set({ closeError: asBridgeError(error) });
      return false;
    } finally {
      set({ closing: false });
    }
  },

  applyChange(detail) {
    const current = get().detail;
    if (get().openId !== detail.ticket.id) return;
    if (current && current.ticket.version > detail.ticket.version) return;
    set({ detail, loading: false, loadError: null });
  },
}));
