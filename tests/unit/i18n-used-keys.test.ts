import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/renderer/i18n/en.js';

/** Every `.ts`/`.tsx` source of the renderer except tests. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

const has = (key: string): boolean => {
  let node: unknown = en;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return false;
    const record = node as Record<string, unknown>;
    // i18next plural keys: `x` resolves through `x_one`/`x_other`.
    node = part in record ? record[part] : record[`${part}_other`];
    if (node === undefined) return false;
  }
  return typeof node === 'string';
};

describe('UI texts used by the code', () => {
  // A key missing from the resources shows up raw on screen (e.g. "phone.title").
  it('exist for every literal t("…") key in the renderer', () => {
    const root = join(import.meta.dirname, '../../src/renderer');
    const missing: string[] = [];
    for (const file of sources(root)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        const key = match[1] ?? '';
        if (key.includes('.') && !has(key)) missing.push(`${key} (${file.slice(root.length + 1)})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
