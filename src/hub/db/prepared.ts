import { createHash } from 'node:crypto';

/** Distinct statement texts that get a name; beyond this (dynamic SQL) they run unnamed. */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

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
    name = `c_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name === undefined
    ? { text, values: values as unknown[] }
    : { name, text, values: values as unknown[] };
}
