import { describe, expect, it } from 'vitest';
import { detectLanguage } from './detect-language.js';
import { en } from './en.js';
import { formatWhen } from './format.js';
import { pl } from './pl.js';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Flattens nested texts into `a.b.c -> value`. */
function flatten(node: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of flatten(value, path)) out.set(k, v);
    } else out.set(path, value);
  }
  return out;
}

const base = (keys: Iterable<string>) =>
  new Set([...keys].map((k) => k.replace(PLURAL_SUFFIX, '')));
const placeholders = (text: string) =>
  [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

describe('UI texts', () => {
  const texts = { en: flatten(en), pl: flatten(pl) };

  it('has the same keys in Polish and English (plural forms aside)', () => {
    expect([...base(texts.pl.keys())].sort()).toEqual([...base(texts.en.keys())].sort());
  });

  it('has no empty or non-string text', () => {
    for (const [lang, map] of Object.entries(texts)) {
      for (const [key, value] of map) {
        expect(typeof value, `${lang}:${key}`).toBe('string');
        expect((value as string).trim(), `${lang}:${key}`).not.toBe('');
      }
    }
  });

  it('has every plural form each language needs', () => {
    for (const [lang, map] of Object.entries(texts)) {
      const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const plural = [...map.keys()].filter((k) => PLURAL_SUFFIX.test(k));
      for (const stem of base(plural)) {
        for (const form of forms)
          expect(map.has(`${stem}_${form}`), `${lang}:${stem}_${form}`).toBe(true);
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const [key, value] of texts.en) {
      const other = texts.pl.get(key) ?? texts.pl.get(key.replace(PLURAL_SUFFIX, '_other'));
      expect(placeholders(String(other)), key).toEqual(placeholders(String(value)));
    }
  });

  it('writes Polish with its diacritics', () => {
    expect(pl.agentState.available).toBe('Dostępny');
    expect(pl.reply.send).toBe('Wyślij');
    expect(pl.work.count_many).toContain('zgłoszeń');
  });
});

describe('language choice', () => {
  it('prefers ?lang=, then the saved choice, then the system languages, then English', () => {
    expect(
      detectLanguage({ search: '?lang=pl', stored: 'en', navigatorLanguages: ['en-US'] }),
    ).toBe('pl');
    expect(
      detectLanguage({ search: '?lang=de', stored: 'en', navigatorLanguages: ['pl-PL'] }),
    ).toBe('en');
    expect(
      detectLanguage({ search: '', stored: null, navigatorLanguages: ['de-DE', 'pl-PL'] }),
    ).toBe('pl');
    expect(detectLanguage({ search: '', stored: null, navigatorLanguages: ['de-DE'] })).toBe('en');
  });
});

describe('times', () => {
  it('shows only the hour today and the date on other days, in the chosen language', () => {
    const now = new Date(2026, 10, 22, 15, 0);
    expect(formatWhen(new Date(2026, 10, 22, 9, 5).toISOString(), 'pl', now)).toBe('09:05');
    expect(formatWhen(new Date(2026, 10, 20, 9, 5).toISOString(), 'pl', now)).toMatch(/20 lis/);
    expect(formatWhen(new Date(2026, 10, 20, 9, 5).toISOString(), 'en', now)).toMatch(/Nov 20/);
  });
});
