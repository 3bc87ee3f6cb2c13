import pg from 'pg';
import { type Row } from './db.js';

/** The parts of node-postgres' wire connection a query writes its messages to. */
interface WireConnection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { statement?: string; values?: (string | Buffer | null)[] }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  parsedStatements: Record<string, string | undefined>;
}

/** node-postgres' `Query` internals this module extends (stable since pg 8). */
interface QueryInternals {
  portal: string;
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
 */
class FramedQuery extends QueryBase {
  constructor(
    config: pg.QueryConfig,
    private readonly begin: boolean,
    private readonly before: readonly BoundStatement[],
    private readonly commit: boolean,
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
    if (!this.commit || rows) {
      super._getRows(connection, rows);
      return;
    }
    connection.execute({ portal: this.portal });
    sendPlain(connection, 'commit');
    connection.sync();
  }
}

/**
 * Runs `config` on `client`, opening the transaction with it (`begin`) and/or committing with it
 * (`commit`). BEGIN rides along only when the statement is already parsed on this connection:
 * node-postgres marks a named statement as parsed on any ParseComplete, so a BEGIN's ParseComplete
 * in front of a failing Parse would mark a statement that does not exist.
 * @returns the statement's rows
 */
export async function runFramed(
  client: pg.ClientBase,
  config: pg.QueryConfig,
  opts: { begin: boolean; commit: boolean; before?: readonly BoundStatement[] },
): Promise<Row[]> {
  const before = opts.before ?? [];
  const connection = (client as unknown as { connection: WireConnection }).connection;
  const parsed =
    config.name !== undefined && connection.parsedStatements[config.name] === config.text;
  let begin = opts.begin;
  if (begin && !parsed) {
    await client.query('begin');
    begin = false;
  }
  if (!begin && !opts.commit && before.length === 0) return (await client.query<Row>(config)).rows;
  const results = await new Promise<pg.QueryResult | pg.QueryResult[]>((resolve, reject) => {
    const query = new FramedQuery(config, begin, before, opts.commit, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    void client.query(query as unknown as pg.QueryConfig);
  });
  // One result per command: [BEGIN,] the deferred writes, the statement[, COMMIT].
  const all = Array.isArray(results) ? results : [results];
  return (all[(begin ? 1 : 0) + before.length]?.rows ?? []) as Row[];
}
