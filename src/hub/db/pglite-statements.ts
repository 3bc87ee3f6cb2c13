import { type PGlite, parse, protocol } from '@electric-sql/pglite';
import { type Row } from './db.js';

/** What PGlite keeps on the instance for its own `query` (present since 0.2; typed here). */
interface PgliteInternals {
  serializers: Record<number, ((value: unknown) => string) | undefined>;
  parsers: Parameters<typeof parse.parseResults>[1];
  execProtocolStream(
    message: Uint8Array,
    options: { syncToFs: boolean },
  ): Promise<Parameters<typeof parse.parseResults>[0]>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
}

interface Statement {
  name: string;
  paramTypes: number[];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Distinct texts kept prepared; the hub's SQL is a small fixed set (as in `prepared.ts`). */
const MAX_STATEMENTS = 2000;

/**
 * Runs statements on PGlite as named prepared statements, one call into the WASM module each.
 * PGlite's own `query` makes six calls per statement (parse, describe, bind, describe, execute,
 * sync) and parses and plans the text every time: ~0.4–0.6 ms of overhead per statement, more
 * than most of the hub's statements cost to execute. Here a text is parsed and described once;
 * after that a statement is bind + describe + execute + sync in one message (~3× faster measured
 * for a primary-key lookup). Rows are decoded by PGlite's own parsers, so they are identical to
 * `query`'s. The caller holds PGlite's transaction lock where needed; this takes the query lock.
 */
export class PgliteStatements {
  private readonly statements = new Map<string, Statement>();
  private seq = 0;
  private readonly pg: PgliteInternals;

  constructor(pg: PGlite) {
    this.pg = pg as unknown as PgliteInternals;
  }

  /** Forgets every prepared statement (after DDL: a plan must not outlive a changed table). */
  reset(): void {
    this.statements.clear();
  }

  run(text: string, params: readonly unknown[]): Promise<Row[]> {
    return this.pg._runExclusiveQuery(async () => {
      const statement = this.statements.get(text) ?? (await this.prepare(text));
      const values = params.map((v, i) => {
        if (v === null || v === undefined) return null;
        const type = statement.paramTypes[i];
        const serialize = type === undefined ? undefined : this.pg.serializers[type];
        return serialize ? serialize(v) : String(v);
      });
      const messages = await this.pg.execProtocolStream(
        concat([
          protocol.serialize.bind({ statement: statement.name, values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ]),
        { syncToFs: false },
      );
      return (parse.parseResults(messages, this.pg.parsers)[0]?.rows ?? []) as Row[];
    });
  }

  private async prepare(text: string): Promise<Statement> {
    // Beyond the limit (dynamic SQL) the unnamed statement is used: the next parse replaces it.
    const keep = this.statements.size < MAX_STATEMENTS;
    const name = keep ? `c_${++this.seq}` : '';
    const messages = await this.pg.execProtocolStream(
      concat([
        protocol.serialize.parse({ name, text }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const description = messages.find((m) => m.name === 'parameterDescription') as
      { dataTypeIDs: number[] } | undefined;
    const statement = { name, paramTypes: description?.dataTypeIDs ?? [] };
    if (keep) this.statements.set(text, statement);
    return statement;
  }
}
