/**
 * The hub's storage seam. Both adapters (embedded PGlite and PostgreSQL) speak the same SQL
 * dialect; services only ever see this interface, so a service runs unchanged on either.
 */
import { isStalePlan } from './prepared.js';

export type Row = Record<string, unknown>;

/** Runs one statement with positional parameters ($1, $2 …) and returns its rows. */
export type Query = <T extends Row = Row>(sql: string, params?: readonly unknown[]) => Promise<T[]>;

export type Exec = (script: string) => Promise<void>;

/** A transaction's last statement, run together with its COMMIT (see `TransactionOptions`). */
export interface FinalStatement {
  text: string;
  values: readonly unknown[];
  /** Gets the statement's rows once the transaction has committed. */
  committed(rows: Row[]): void;
}

export interface TransactionOptions {
  /**
   * Asked once `fn` has resolved: a statement to run last, committed with it — on PostgreSQL in
   * the same round trip as the COMMIT (the event append: see `events/append.ts`).
   */
  final?: () => FinalStatement | undefined;
  /**
   * Asked after `final`: a read to run right after the COMMIT — on PostgreSQL in the same round
   * trip — in its own snapshot, so it sees this transaction's writes and every earlier commit (the
   * routing look after freeing capacity). Its rows go to `read`; `undefined` when it failed after
   * the commit (the caller then reads for itself). Not run when the transaction fails.
   */
  thenRead?: () => ReadAfterCommit | undefined;
}

export interface ReadAfterCommit extends Statement {
  read(rows: Row[] | undefined): void;
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query: Query;
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; any throw rolls back. `exec` runs a
   * multi-statement script without parameters (migrations). A statement after the transaction
   * has ended (e.g. from a callback that outlived it) is refused.
   */
  transaction<T>(fn: (q: Query, exec: Exec) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** Subscribes to NOTIFY on `channel`; returns the unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * A connection outside the pool (PostgreSQL only; PGlite is one connection in one process), for
   * session state that must live exactly as long as a connection: the telephony owner's advisory
   * lock is released by the server when this connection drops.
   */
  dedicated?(): Promise<DedicatedConnection>;
  close(): Promise<void>;
}

export interface DedicatedConnection {
  query: Query;
  /** Resolves (never rejects) when the connection is gone, with the error if it broke. */
  readonly ended: Promise<Error | undefined>;
  close(): Promise<void>;
}

/** PostgreSQL error codes the services react to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK_DETECTED = '40P01';

export function pgErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Retries a transaction that lost a race to a concurrent writer (unique violation on an
 * insert-if-absent, serialization failure, deadlock) — the second attempt sees the winner's row —
 * or that met a prepared statement gone stale under a migration (renamed: prepared afresh).
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = pgErrorCode(err);
      const retryable =
        code === PG_UNIQUE_VIOLATION ||
        code === PG_SERIALIZATION_FAILURE ||
        code === PG_DEADLOCK_DETECTED ||
        isStalePlan(err);
      if (!retryable || i >= attempts) throw err;
    }
  }
}

/** A statement and its parameters, to run later or together with others. */
export interface Statement {
  text: string;
  values: readonly unknown[];
}

/** What a transaction's query can do beyond one statement per round trip (PostgreSQL). */
export interface Pipeline {
  /** Holds a write back until the next statement (see `writeLater`). */
  defer(sql: string, params: readonly unknown[]): void;
  /** Runs reads in order in one round trip (see `readTogether`). */
  readMany(statements: readonly Statement[]): Promise<Row[][]>;
}
const pipelines = new WeakMap<Query, Pipeline>();

/** Marks `q` (a transaction's query) as able to hold writes back and batch reads. */
export function withPipeline(q: Query, pipeline: Pipeline | undefined): Query {
  if (pipeline) pipelines.set(q, pipeline);
  return q;
}

/** What `q` pipelines with, to pass on to a wrapper of it (`withPipeline`). */
export const pipelineOf = (q: Query): Pipeline | undefined => pipelines.get(q);

/**
 * A write whose result nobody reads (no RETURNING, no rows): inside a transaction it is held back
 * and sent in the same round trip as the transaction's next statement or its COMMIT, in order; a
 * failure then fails that statement, and so the transaction, as it would have failed here. Each
 * round trip is a write system call and two wake-ups on each side — on a busy host the largest
 * cost of a short statement. Outside a transaction it runs at once.
 */
export async function writeLater(
  q: Query,
  sql: string,
  params: readonly unknown[] = [],
): Promise<void> {
  const pipeline = pipelines.get(q);
  if (pipeline) pipeline.defer(sql, params);
  else await q(sql, params);
}

/**
 * Reads whose parameters are all known up front, run in the given order (so row locks are taken
 * in that order) and answered in one round trip inside a transaction on PostgreSQL; one after the
 * other elsewhere. The first failure fails the call and the statements after it do not run.
 * @returns each statement's rows, in order
 */
export async function readTogether(q: Query, statements: readonly Statement[]): Promise<Row[][]> {
  const pipeline = pipelines.get(q);
  if (pipeline && statements.length > 1) return pipeline.readMany(statements);
  const out: Row[][] = [];
  for (const s of statements) out.push(await q(s.text, s.values));
  return out;
}
