import { create } from 'zustand';
import { type WrapUp } from '../../shared/bridge/routing.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type PauseReason, type Queue, type TicketSummary } from '../../shared/domain/index.js';
import { api } from '../bridge/index.js';
import { useAgentStore } from './agent-store.js';
import { useTicketStore } from './ticket-store.js';

const asBridgeError = (error: unknown): BridgeError =>
  error instanceof BridgeError ? error : new BridgeError('internal', String(error));

/** The hub's own error code behind a `hub_error` (e.g. topic_required, offer_not_pending). */
export const hubCode = (error: BridgeError | null): string | null => {
  const code = (error?.details as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : null;
};

interface RoutingStore {
  queues: Queue[];
  pauseReasons: PauseReason[];
  wrapUp: WrapUp;
  /** The offer being answered (buttons disabled meanwhile). */
  answering: string | null;
  offerError: BridgeError | null;
  wrapUpBusy: boolean;
  wrapUpError: BridgeError | null;
  serving: boolean;
  /** Serve next answered "nothing for you now". */
  nothingNext: boolean;
  serveError: BridgeError | null;
  /** Topic chosen before closing a ticket whose queue needs one and has no wrap-up to ask it in. */
  closeTopics: Record<string, string>;
  /** The ticket whose Close was stopped for a missing topic, or whose completion failed. */
  closeTopicProblem: { ticketId: string; error: BridgeError | null } | null;
  setCloseTopic(ticketId: string, topic: string): void;
  /** Before Close: completes the ticket's task with its topic when the queue needs one; false = stop. */
  completeBeforeClose(ticket: TicketSummary): Promise<boolean>;
  load(): Promise<void>;
  reset(): void;
  accept(offerId: string): Promise<void>;
  reject(offerId: string, reason: string): Promise<void>;
  serveNext(): Promise<void>;
  endWrapUp(topic: string | null): Promise<void>;
  extendWrapUp(): Promise<void>;
}

const initial = {
  queues: [],
  pauseReasons: [],
  wrapUp: null,
  answering: null,
  offerError: null,
  wrapUpBusy: false,
  wrapUpError: null,
  serving: false,
  nothingNext: false,
  serveError: null,
  closeTopics: {},
  closeTopicProblem: null,
};

/** The queue of a ticket when it needs a topic and has no wrap-up to give it in (else null). */
export function topicOnClose(queues: Queue[], ticket: TicketSummary): Queue | null {
  const queue = queues.find((q) => q.id === ticket.queueId);
  return queue?.topicRequired && (queue.wrapUpSeconds ?? 0) === 0 ? queue : null;
}

export const useRoutingStore = create<RoutingStore>()((set, get) => ({
  ...initial,

  async load() {
    const [queues, reasons, wrapUp] = await Promise.allSettled([
      api().call('queues.list', {}),
      api().call('pauseReasons.list', {}),
      api().call('wrapUp.get', {}),
    ]);
    set({
      ...(queues.status === 'fulfilled' ? { queues: queues.value } : {}),
      ...(reasons.status === 'fulfilled' ? { pauseReasons: reasons.value } : {}),
      ...(wrapUp.status === 'fulfilled' ? { wrapUp: wrapUp.value } : {}),
    });
  },

  reset() {
    set(initial);
  },

  setCloseTopic(ticketId, topic) {
    set((s) => ({ closeTopics: { ...s.closeTopics, [ticketId]: topic }, closeTopicProblem: null }));
  },

  async completeBeforeClose(ticket) {
    if (!topicOnClose(get().queues, ticket)) return true;
    const topic = get().closeTopics[ticket.id]?.trim();
    if (!topic) {
      set({ closeTopicProblem: { ticketId: ticket.id, error: null } });
      return false;
    }
    try {
      await api().call('tasks.complete', { ticketId: ticket.id, topic });
      return true;
    } catch (error) {
      const e = asBridgeError(error);
      // Task unknown here or already completed: the hub closes the ticket all the same.
      if (e.code === 'not_found' || hubCode(e) === 'invalid_state') return true;
      set({ closeTopicProblem: { ticketId: ticket.id, error: e } });
      return false;
    }
  },

  async accept(offerId) {
    if (get().answering) return;
    set({ answering: offerId, offerError: null });
    try {
      const { ticket } = await api().call('offers.accept', { offerId });
      await useTicketStore.getState().open(ticket.id);
    } catch (error) {
      set({ offerError: asBridgeError(error) });
    } finally {
      set({ answering: null });
    }
  },

  async reject(offerId, reason) {
    if (get().answering) return;
    set({ answering: offerId, offerError: null });
    try {
      const status = await api().call('offers.reject', { offerId, reason });
      useAgentStore.setState({ status });
    } catch (error) {
      set({ offerError: asBridgeError(error) });
    } finally {
      set({ answering: null });
    }
  },

  async serveNext() {
    if (get().serving) return;
    set({ serving: true, serveError: null, nothingNext: false });
    try {
      const next = await api().call('work.next', {});
      if (next.ticket) await useTicketStore.getState().open(next.ticket.id);
      else if (!next.offer) set({ nothingNext: true });
    } catch (error) {
      set({ serveError: asBridgeError(error) });
    } finally {
      set({ serving: false });
    }
  },

  async endWrapUp(topic) {
    if (get().wrapUpBusy) return;
    set({ wrapUpBusy: true, wrapUpError: null });
    try {
      const status = await api().call('wrapUp.end', topic ? { topic } : {});
      useAgentStore.setState({ status });
      if (!status.wrapUpUntil) set({ wrapUp: null });
    } catch (error) {
      set({ wrapUpError: asBridgeError(error) });
    } finally {
      set({ wrapUpBusy: false });
    }
  },

  async extendWrapUp() {
    if (get().wrapUpBusy) return;
    set({ wrapUpBusy: true, wrapUpError: null });
    try {
      const status = await api().call('wrapUp.extend', {});
      useAgentStore.setState({ status });
    } catch (error) {
      set({ wrapUpError: asBridgeError(error) });
    } finally {
      set({ wrapUpBusy: false });
    }
  },
}));
