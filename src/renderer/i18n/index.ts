import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { detectLanguage, type Language } from './detect-language.js';
import { en } from './en.js';
import { pl } from './pl.js';

export { LANGUAGES, isLanguage, type Language } from './detect-language.js';

export const resources = { en: { translation: en }, pl: { translation: pl } } as const;

const STORAGE_KEY = 'concierge.language';

function readStoredLanguage(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be disabled; the choice then lasts for this session only
  }
}

export function saveLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // see readStoredLanguage
  }
}

export function initialLanguage(): Language {
  return detectLanguage({
    search: window.location.search,
    stored: readStoredLanguage(),
    navigatorLanguages: navigator.languages ?? [navigator.language],
  });
}

export async function initI18n(language: Language): Promise<typeof i18next> {
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes already
    returnNull: false,
  });
  document.documentElement.lang = language;
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  return i18next;
}
