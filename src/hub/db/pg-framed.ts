import pg from 'pg';
import { type Row } from './db.js';

/** The parts of node-postgres' wire connection a query writes its messages to. */
interface WireConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { statement?: string; values?: (string | Buffer | null)[] }): void;
  describe(config: { type: 'P' | 'S'; name?: string }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  parsedStatements: Record<string, string | undefined>;
}

/** node-postgres' `Query` internals this module extends (stable since pg 8). */
interface QueryInternals {
  portal: string;
  /** The results received so far (one per command once there are several). */
  _results: pg.QueryResult | pg.QueryResult[];
  prepare(connection: WireConnection): void;
  _getRows(connection: WireConnection, rows: number | undefined): void;
}

type Callback = (err: Error | null, res: pg.QueryResult | pg.QueryResult[]) => void;
const QueryBase = pg.Query as unknown as new (
  config: pg.QueryConfig & { queryMode?: 'extended' },
  values: undefined,
  callback: Callback,
) => QueryInternals;

/** A statement already prepared on the connection, its values already in wire form. */
export interface BoundStatement {
  name: string;
  values: (string | Buffer | null)[];
}

/** node-postgres' own value conversion (`pg.utils`: present at runtime, not in its types). */
const prepareValue = (pg as unknown as { utils: { prepareValue(v: unknown): unknown } }).utils
  .prepareValue;

/**
 * A named statement's values in wire form, converted before anything is written: a value that
 * cannot be converted must fail before a pipeline is half on the wire.
 */
export function boundStatement(name: string, values: readonly unknown[]): BoundStatement {
  return {
    name,
    values: values.map((v) => {
      const w = prepareValue(v);
      return w === null || w === undefined ? null : Buffer.isBuffer(w) ? w : String(w);
    }),
  };
}

/** A statement without parameters, executed on the unnamed statement and portal. */
function sendPlain(connection: WireConnection, text: string): void {
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
}

/**
 * One extended-protocol statement with BEGIN in front and/or COMMIT behind it in the same write
 * and under one Sync: the server runs them in order and, after an error, skips the rest, so the
 * transaction is never committed past a failed statement. Each saves a round trip — on a busy
 * 2-core host every round trip is two context switches and a `writev`, which was a third of the
 * hub's CPU — and COMMIT behind the event append shortens the time the event-order lock is held.
 * Reads can follow the statement (and its COMMIT) in the same write: each gets its own
 * Describe, so node-postgres collects their rows as further results.
 */
class FramedQuery extends QueryBase {
  constructor(
    config: pg.QueryConfig,
    private readonly begin: boolean,
    private readonly before: readonly BoundStatement[],
    private readonly commit: boolean,
    private readonly after: readonly BoundStatement[],
    callback: Callback,
  ) {
    super({ ...config, queryMode: 'extended' }, undefined, callback);
  }

  override prepare(connection: WireConnection): void {
    if (this.begin) sendPlain(connection, 'begin');
    // Deferred writes: prepared already, so Bind + Execute (no Parse, hence no ParseComplete that
    // node-postgres would credit to the main statement) and no Describe (they return no rows).
    for (const s of this.before) {
      connection.bind({ statement: s.name, values: s.values });
      connection.execute({});
    }
    super.prepare(connection);
  }

  override _getRows(connection: WireConnection, rows: number | undefined): void {
    if ((!this.commit && this.after.length === 0) || rows) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: this.portal });
    if (this.commit) sendPlain(connection, 'commit');
    for (const s of this.after) {
      connection.bind({ statement: s.name, values: s.values });
      connection.describe({ type: 'P' });
      connection.execute({});
    }
    connection.sync();
  }

  /** Whether a COMMIT had completed when the pipeline stopped (an error after it). */
  committed(): boolean {
    return this.received().some((r) => r.command === 'COMMIT');
  }

  received(): pg.QueryResult[] {
    return Array.isArray(this._results) ? this._results : [this._results];
  }
}

/** A failure of a read that followed a successful COMMIT: the transaction did commit. */
export class FailedAfterCommit extends Error {
  constructor(
    readonly error: Error,
    /** The committed statement's rows. */
    readonly rows: Row[],
  ) {
    super(`read after commit failed: ${error.message}`);
  }
}

/**
 * Runs `config` on `client`, opening the transaction with it (`begin`) and/or committing with it
 * (`commit`), with held-back writes in front (`before`) and reads behind (`after`; all three
 * already prepared on this connection). BEGIN rides along only when the statement is already
 * parsed on this connection: node-postgres marks a named statement as parsed on any
 * ParseComplete, so a BEGIN's ParseComplete in front of a failing Parse would mark a statement
 * that does not exist. An error after a completed COMMIT is a `FailedAfterCommit`.
 * @returns the statement's rows and each read's
 */
export async function runFramed(
  client: pg.ClientBase,
  config: pg.QueryConfig,
  opts: {
    begin: boolean;
    commit: boolean;
    before?: readonly BoundStatement[];
    after?: readonly BoundStatement[];
  },
): Promise<{ rows: Row[]; after: Row[][] }> {
  const before = opts.before ?? [];
  const after = opts.after ?? [];
  const connection = (client as unknown as { connection: WireConnection }).connection;
  const parsed =
    config.name !== undefined && connection.parsedStatements[config.name] === config.text;
  let begin = opts.begin;
  if (begin && !parsed) {
    await client.query('begin');
    begin = false;
  }
  if (!begin && !opts.commit && before.length === 0 && after.length === 0) {
    return { rows: (await client.query<Row>(config)).rows, after: [] };
  }
  let query: FramedQuery | undefined;
  const main = (begin ? 1 : 0) + before.length;
  const results = await new Promise<pg.QueryResult | pg.QueryResult[]>((resolve, reject) => {
    query = new FramedQuery(config, begin, before, opts.commit, after, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    void client.query(query as unknown as pg.QueryConfig);
  }).catch((err: Error) => {
    if (!opts.commit || after.length === 0 || !query?.committed()) throw err;
    throw new FailedAfterCommit(err, (query.received()[main]?.rows ?? []) as Row[]);
  });
  // One result per command: [BEGIN,] the deferred writes, the statement[, COMMIT], the reads.
  const all = Array.isArray(results) ? results : [results];
  const first = main + 1 + (opts.commit ? 1 : 0);
  return {
    rows: (all[main]?.rows ?? []) as Row[],
    after: after.map((_, i) => (all[first + i]?.rows ?? []) as Row[]),
  };
}
