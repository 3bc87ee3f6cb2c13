import { api } from '../bridge/index.js';

/** How long typing may pause before the draft is written to main (and from there to disk). */
export const DRAFT_DEBOUNCE_MS = 200;

const timers = new Map<string, { text: string; timer: ReturnType<typeof setTimeout> }>();
/** Saves of one ticket go one after the other, so an older text never lands after a newer one. */
const chains = new Map<string, Promise<unknown>>();

function write(ticketId: string, text: string): Promise<void> {
  const previous = chains.get(ticketId) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() => api().call('drafts.save', { ticketId, text }))
    .then(() => undefined);
  chains.set(ticketId, next);
  void next
    .catch((error: unknown) => console.warn('could not save the draft', error))
    .finally(() => {
      if (chains.get(ticketId) === next) chains.delete(ticketId);
    });
  return next;
}

/** The agent typed: save after a short pause. */
export function scheduleDraftSave(ticketId: string, text: string): void {
  const pending = timers.get(ticketId);
  if (pending) clearTimeout(pending.timer);
  const timer = setTimeout(() => {
    timers.delete(ticketId);
    void write(ticketId, text).catch(() => undefined);
  }, DRAFT_DEBOUNCE_MS);
  timers.set(ticketId, { text, timer });
}

/** Blur, ticket switch, window close: write every waiting draft now. */
export function flushDrafts(): Promise<void> {
  const writes = [...timers.entries()].map(([ticketId, { text, timer }]) => {
    clearTimeout(timer);
    return write(ticketId, text).catch(() => undefined);
  });
  timers.clear();
  return Promise.all(writes).then(() => undefined);
}

/** Send took the draft: a save still waiting must not bring the sent text back. */
export function cancelDraftSave(ticketId: string): void {
  const pending = timers.get(ticketId);
  if (pending) clearTimeout(pending.timer);
  timers.delete(ticketId);
}

/** Waits for saves on their way (Send must reach main after the last save of its ticket). */
export function draftSaved(ticketId: string): Promise<void> {
  return (chains.get(ticketId) ?? Promise.resolve()).then(
    () => undefined,
    () => undefined,
  );
}
