import { createHash } from 'node:crypto';

/** Distinct statement texts that get a name; beyond this (dynamic SQL) they run unnamed. */
const MAX_NAMED = 2000;
const names = new Map<string, string>();
let generation = 0;

/** A statement name from a hash of its text (and a generation after a rename). */
const nameFor = (text: string, gen?: number): string =>
  `c_${createHash('sha1').update(text).digest('hex').slice(0, 20)}${gen ? `_${gen}` : ''}`;

/**
 * A query config that makes PostgreSQL keep the statement prepared on each connection (named by a
 * hash of its text), so repeated statements are parsed and planned once per connection instead of
 * on every call — most of the database's CPU on the routing path went into planning the same
 * statements again. The hub's SQL is a small fixed set of texts, values always travel as
 * parameters.
 */
export function prepared(
  text: string,
  values: readonly unknown[],
): { name?: string; text: string; values: unknown[] } {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = nameFor(text);
    names.set(text, name);
  }
  return name === undefined
    ? { text, values: values as unknown[] }
    : { name, text, values: values as unknown[] };
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed since it was
 * prepared (`select *` after a migration added a column: "cached plan must not change result
 * type"). The text then gets a new name, so every connection prepares it afresh on next use; the
 * caller retries (a statement outside a transaction at once, a transaction through `withRetry`).
 */
export function isStalePlan(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(String((err as { message?: unknown }).message))
  );
}

/** Gives `text` a new statement name (after `isStalePlan`). */
export function renamePrepared(text: string): void {
  if (!names.has(text)) return;
  names.set(text, nameFor(text, ++generation));
}
