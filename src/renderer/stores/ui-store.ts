import i18next from 'i18next';
import { create } from 'zustand';
import { saveLanguage, type Language } from '../i18n/index.js';

interface UiStore {
  language: Language;
  shortcutsOpen: boolean;
  /** The last new-assignment announcement, read out by the aria-live region. */
  announcement: string;
  setLanguage(language: Language): void;
  setShortcutsOpen(open: boolean): void;
  announce(text: string): void;
}

export const useUiStore = create<UiStore>()((set) => ({
  language: 'en',
  shortcutsOpen: false,
  announcement: '',
  setLanguage(language) {
    saveLanguage(language);
    void i18next.changeLanguage(language);
    set({ language });
  },
  setShortcutsOpen(open) {
    set({ shortcutsOpen: open });
  },
  announce(text) {
    set({ announcement: text });
  },
}));
