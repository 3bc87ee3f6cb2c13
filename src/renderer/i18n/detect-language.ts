export const LANGUAGES = ['pl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** `pl-PL` -> `pl`; anything we do not ship -> null. */
const base = (tag: string | null | undefined): Language | null => {
  const code = tag?.toLowerCase().split(/[-_]/)[0];
  return isLanguage(code) ? code : null;
};

/** Order: `?lang=` forces, then the agent's saved choice, then the system's languages, then English. */
export function detectLanguage(input: {
  search: string;
  stored: string | null;
  navigatorLanguages: readonly string[];
}): Language {
  const forced = base(new URLSearchParams(input.search).get('lang'));
  if (forced) return forced;
  const saved = base(input.stored);
  if (saved) return saved;
  for (const tag of input.navigatorLanguages) {
    const found = base(tag);
    if (found) return found;
  }
  return 'en';
}
