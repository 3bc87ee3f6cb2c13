import { create } from 'zustand';
import { type OutboxResolveInput, type OutboxRow } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';
import { flushDrafts } from './draft-saver.js';
import { useTicketStore } from './ticket-store.js';

interface OutboxStore {
  rows: OutboxRow[];
  /** The outbox view is open. */
  viewOpen: boolean;
  busy: ReadonlySet<string>;
  error: BridgeError | null;
  setViewOpen(open: boolean): void;
  resolve(id: string, action: OutboxResolveInput['action']): Promise<void>;
}

export const useOutboxStore = create<OutboxStore>()((set, get) => ({
  rows: [],
  viewOpen: false,
  busy: new Set(),
  error: null,
  setViewOpen: (viewOpen) => set({ viewOpen }),
  async resolve(id, action) {
    if (get().busy.has(id)) return;
    const row = get().rows.find((r) => r.id === id);
    set((s) => ({ busy: new Set([...s.busy, id]), error: null }));
    try {
      // "Edit" joins the row's text with the saved draft: save what is typed first.
      if (action === 'edit') await flushDrafts();
      const snapshot = await api().call('outbox.resolve', { id, action });
      set({ rows: snapshot.rows });
      // "Edit" put the text back into the ticket's draft: show it in the composer.
      if (action === 'edit' && row) {
        await useTicketStore.getState().reloadDraft(row.ticketId, { force: true });
      }
    } catch (error) {
      set({
        error: error instanceof BridgeError ? error : new BridgeError('internal', String(error)),
      });
    } finally {
      set((s) => {
        const busy = new Set(s.busy);
        busy.delete(id);
        return { busy };
      });
    }
  },
}));

/** Rows not delivered yet, per ticket (the work list's "pending" badge). */
export function undeliveredByTicket(rows: readonly OutboxRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.state !== 'delivered') counts.set(r.ticketId, (counts.get(r.ticketId) ?? 0) + 1);
  }
  return counts;
}

export const undeliveredCount = (rows: readonly OutboxRow[]): number =>
  rows.filter((r) => r.state !== 'delivered').length;

export const needsAttention = (rows: readonly OutboxRow[]): number =>
  rows.filter((r) => r.state === 'needs_review' || r.state === 'failed').length;
