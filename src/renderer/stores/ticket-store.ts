import { create } from 'zustand';
import { type TicketDetail } from '../../shared/domain/ticket.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';
import { cancelDraftSave, draftSaved, flushDrafts, scheduleDraftSave } from './draft-saver.js';

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
  /** Reads the ticket's saved draft from main (after a restart, or "edit" of an outbox row). */
  reloadDraft(ticketId: string, options?: { force?: boolean }): Promise<void>;
  /** Resolves true when the reply is safely in the outbox (delivery follows, online or not). */
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
    if (!sameTicket) void flushDrafts();
    if (get().drafts[ticketId] === undefined) void get().reloadDraft(ticketId);
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
    scheduleDraftSave(ticketId, text);
  },

  async reloadDraft(ticketId, options = {}) {
    try {
      const draft = await api().call('drafts.get', { ticketId });
      const typed = get().drafts[ticketId];
      if (options.force) {
        set((s) => ({ drafts: { ...s.drafts, [ticketId]: draft.text } }));
        return;
      }
      // Never overwrite what the agent has typed meanwhile (unless it is empty).
      if (draft.text && (typed === undefined || typed === '' || typed === draft.text)) {
        set((s) => ({ drafts: { ...s.drafts, [ticketId]: draft.text } }));
      } else if (typed === undefined) {
        set((s) => ({ drafts: { ...s.drafts, [ticketId]: draft.text } }));
      }
    } catch {
      // No saved draft reachable: the composer simply starts empty.
    }
  },

  async sendReply() {
    const { openId, drafts, sending } = get();
    const text = openId ? (drafts[openId] ?? '') : '';
    if (!openId || sending || !text.trim()) return false;
    set({ sending: true, sendError: null });
    try {
      cancelDraftSave(openId);
      await draftSaved(openId);
      // main moves the draft into the outbox in one transaction; delivery happens from there.
      await api().call('outbox.send', { ticketId: openId, text });
      set((s) => {
        const rest = { ...s.drafts };
        // Keep anything typed while the reply was on its way.
        if (rest[openId] === text) rest[openId] = '';
        else if (rest[openId] !== undefined) scheduleDraftSave(openId, rest[openId]);
        return { drafts: rest };
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
