import { create } from 'zustand';
import { type SearchHit } from '../../shared/bridge/contract.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { api } from '../bridge/index.js';

interface SearchStore {
  query: string;
  hits: SearchHit[];
  searching: boolean;
  error: BridgeError | null;
  setQuery(query: string): void;
  clear(): void;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let generation = 0;

/** Search over the cached tickets (works offline): debounced, newest query wins. */
export const useSearchStore = create<SearchStore>()((set) => ({
  query: '',
  hits: [],
  searching: false,
  error: null,
  setQuery(query) {
    set({ query });
    if (timer) clearTimeout(timer);
    const mine = ++generation;
    if (!query.trim()) {
      set({ hits: [], searching: false, error: null });
      return;
    }
    set({ searching: true });
    timer = setTimeout(() => {
      api()
        .call('search', { query: query.trim(), limit: 30 })
        .then((result) => {
          if (mine === generation) set({ hits: result.hits, searching: false, error: null });
        })
        .catch((error: unknown) => {
          if (mine !== generation) return;
          set({
            searching: false,
            error:
              error instanceof BridgeError ? error : new BridgeError('internal', String(error)),
          });
        });
    }, 120);
  },
  clear() {
    if (timer) clearTimeout(timer);
    generation++;
    set({ query: '', hits: [], searching: false, error: null });
  },
}));
