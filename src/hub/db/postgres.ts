import pg from 'pg';
import { boundStatement, FailedAfterCommit, runFramed } from './pg-framed.js';
import { isStalePlan, prepared, renamePrepared } from './prepared.js';
import {
  type DedicatedConnection,
  type Db,
  type Query,
  type Row,
  type Statement,
  withPipeline,
} from './db.js';

/** Which named statements node-postgres has prepared on a connection. */
interface ParsedStatements {
  parsedStatements: Record<string, string | undefined>;
}

/**
 * Connections per hub unless configured. A hub's transactions are short (a few round trips), so
 * a few connections carry hundreds of tasks a second; more only let more backends compete for the
 * database server's cores at once. On the 2-core bench machine 3 or 4 instead of 10 gave a lower
 * offer-latency p99 in 12 of 16 interleaved runs (docs/performance.md, session 9).
 */
export const DEFAULT_POOL_SIZE = 4;
/** The event feed's reads and the router's looks run beside the transactions, not inside them. */
export const MIN_POOL_SIZE = 2;
/** The most a hub may ask for (a mistyped size must not exhaust the server's connections). */
export const MAX_POOL_SIZE = 1000;

export interface PostgresOptions {
  /** Pool size (DEFAULT_POOL_SIZE). */
  max?: number;
  onError?: (err: Error) => void;
}

/**
 * PostgreSQL through a `pg` pool: production and multi-hub deployments. LISTEN runs on one
 * dedicated client that reconnects if the server drops it, so wake-ups survive a failover.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Db> {
  // Idle connections stay open (pg closes them after 10 s by default): a connection carries its
  // prepared statements and its backend's warm caches, and a burst after a quiet spell would
  // otherwise meet new backends that plan every statement again (the first five runs of each
  // get a custom plan: up to 3 ms for a routing pass's lock statement).
  if (opts.max !== undefined && !(Number.isInteger(opts.max) && opts.max >= MIN_POOL_SIZE)) {
    throw new Error(`pool size must be an integer of at least ${MIN_POOL_SIZE}, got ${opts.max}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? DEFAULT_POOL_SIZE,
    idleTimeoutMillis: 0,
  });
  const onError = opts.onError ?? (() => {});
  pool.on('error', onError);
  // Fail fast on a wrong URL instead of on the first request.
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  // Outside a transaction a statement whose prepared plan went stale (a migration changed its
  // columns) is renamed and run again once.
  const run =
    (target: pg.Pool | pg.PoolClient | pg.Client): Query =>
    async <T extends Row = Row>(sql: string, params: readonly unknown[] = []) => {
      try {
        return (await target.query<T>(prepared(sql, params))).rows;
      } catch (err) {
        if (!isStalePlan(err)) throw err;
        renamePrepared(sql);
        return (await target.query<T>(prepared(sql, params))).rows;
      }
    };

  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pg.Client | undefined;
  let closed = false;

  async function connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => {
      for (const cb of listeners.get(msg.channel) ?? []) cb(msg.payload ?? '');
    });
    client.on('error', (err) => {
      onError(err);
      if (listenClient === client) listenClient = undefined;
      void client.end().catch(() => {});
      if (!closed) setTimeout(() => void reconnect(), 1000).unref();
    });
    await client.connect();
    for (const channel of listeners.keys()) await client.query(`listen ${quoteIdent(channel)}`);
    listenClient = client;
    // A reconnect may have missed notifications: tell every listener to look for itself.
    for (const set of listeners.values()) for (const cb of set) cb('');
  }

  async function reconnect(): Promise<void> {
    if (closed || listenClient) return;
    try {
      await connectListener();
    } catch (err) {
      onError(err as Error);
      if (!closed) setTimeout(() => void reconnect(), 2000).unref();
    }
  }

  return {
    kind: 'postgres',
    query: run(pool),
    async transaction(fn, opts) {
      const client = await pool.connect();
      const connection = (client as unknown as { connection: ParsedStatements }).connection;
      // BEGIN goes out with the first statement and COMMIT with the final one, and held-back
      // writes (`writeLater`) with whichever comes next (pg-framed.ts): a transaction costs one
      // round trip per statement whose rows it reads.
      let open = false;
      let ended = false;
      const deferred: { sql: string; params: readonly unknown[] }[] = [];
      const isParsed = (sql: string, params: readonly unknown[]) => {
        const c = prepared(sql, params);
        return c.name !== undefined && connection.parsedStatements[c.name] === c.text;
      };
      /**
       * Runs `sql` with the held-back writes in front of it, BEGIN / COMMIT as asked and `after`
       * behind it. A held-back write or a read not yet prepared on this connection runs on its
       * own the first time: the pipeline only binds prepared statements.
       */
      const framed = async (
        sql: string,
        params: readonly unknown[],
        commit: boolean,
        after: readonly Statement[] = [],
      ): Promise<{ rows: Row[]; after: Row[][] }> => {
        for (let i = deferred.findIndex((d) => !isParsed(d.sql, d.params)); i >= 0;) {
          const group = deferred.splice(0, i + 1);
          const last = group.pop()!;
          await framed1(last.sql, last.params, false, group, []);
          i = deferred.findIndex((d) => !isParsed(d.sql, d.params));
        }
        return framed1(sql, params, commit, deferred.splice(0), after);
      };
      const bound = (sql: string, params: readonly unknown[]) => {
        const c = prepared(sql, params);
        return boundStatement(c.name!, c.values);
      };
      const framed1 = async (
        sql: string,
        params: readonly unknown[],
        commit: boolean,
        before: readonly { sql: string; params: readonly unknown[] }[],
        after: readonly Statement[],
      ): Promise<{ rows: Row[]; after: Row[][] }> => {
        const config = prepared(sql, params);
        const begin = !open;
        open = true;
        try {
          return await runFramed(client, config, {
            begin,
            commit,
            before: before.map((d) => bound(d.sql, d.params)),
            after: after.map((a) => bound(a.text, a.values)),
          });
        } catch (err) {
          // The transaction is aborted; withRetry runs it again under the new name.
          if (isStalePlan(err)) renamePrepared(sql);
          throw err;
        }
      };
      const q = withPipeline(
        async <T extends Row = Row>(sql: string, params: readonly unknown[] = []) => {
          if (ended) throw new Error('statement after the end of its transaction');
          return (await framed(sql, params, false)).rows as T[];
        },
        {
          defer(sql, params) {
            if (ended) throw new Error('statement after the end of its transaction');
            deferred.push({ sql, params });
          },
          async readMany(statements) {
            if (ended) throw new Error('statement after the end of its transaction');
            const [first, ...rest] = statements;
            if (!first) return [];
            // Reads not yet prepared here go one by one this time (see `framed`).
            if (rest.some((r) => !isParsed(r.text, r.values))) {
              const out: Row[][] = [];
              for (const s of statements) out.push((await framed(s.text, s.values, false)).rows);
              return out;
            }
            const r = await framed(first.text, first.values, false, rest);
            return [r.rows, ...r.after];
          },
        },
      );
      let broken: Error | undefined;
      try {
        const result = await fn(q, async (script) => {
          if (deferred.length > 0) throw new Error('a script cannot follow held-back writes');
          if (!open) {
            open = true;
            await client.query('begin');
          }
          await client.query(script);
        });
        const last = opts?.final?.();
        const then = opts?.thenRead?.();
        const afterCommit = then && isParsed(then.text, then.values) ? [then] : [];
        ended = true;
        let read: Row[] | undefined;
        const commitWith = async (sql: string, params: readonly unknown[]) => {
          try {
            const r = await framed(sql, params, true, afterCommit);
            open = false;
            read = r.after[0];
            return r.rows;
          } catch (err) {
            if (!(err instanceof FailedAfterCommit)) throw err;
            open = false;
            return err.rows;
          }
        };
        if (last) {
          last.committed(await commitWith(last.text, last.values));
        } else if (deferred.length > 0) {
          // The last held-back write carries the COMMIT.
          const tail = deferred.pop()!;
          await commitWith(tail.sql, tail.params);
        } else if (open) {
          await client.query('commit');
          open = false;
        }
        // Not prepared on this connection yet (or nothing to commit with): read on its own.
        if (then && read === undefined && afterCommit.length === 0) {
          read = await client.query<Row>(prepared(then.text, then.values)).then(
            (r) => r.rows,
            () => undefined,
          );
        }
        then?.read(read);
        return result;
      } catch (err) {
        ended = true;
        deferred.length = 0;
        if (open) {
          await client.query('rollback').catch((e: Error) => {
            broken = e;
          });
        }
        throw err;
      } finally {
        // A connection that could not roll back is not handed to the next transaction.
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      let set = listeners.get(channel);
      const first = set === undefined;
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onNotify);
      if (!listenClient) await connectListener();
      else if (first) await listenClient.query(`listen ${quoteIdent(channel)}`);
      return async () => {
        set.delete(onNotify);
      };
    },
    async dedicated(): Promise<DedicatedConnection> {
      // Bounded connect: a caller retrying on a beat must not hang on an unreachable server.
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      let end!: (err: Error | undefined) => void;
      const ended = new Promise<Error | undefined>((resolve) => (end = resolve));
      client.on('error', (err) => end(err));
      client.on('end', () => end(undefined));
      await client.connect();
      return {
        query: run(client),
        ended,
        close: () => client.end().catch(() => {}),
      };
    },
    async close() {
      closed = true;
      const client = listenClient;
      listenClient = undefined;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
