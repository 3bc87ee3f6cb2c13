import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeTcpPort } from './ports.js';

/** Debian's PostgreSQL 15; override with POSTGRES_BIN. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The postmaster's PID (its children are the server's processes: the bench's CPU figures). */
  pid: number;
  /** The same database's URL over the server's Unix socket instead of TCP. */
  unixUrl(databaseUrl: string): string;
  stop(): Promise<void>;
}

/**
 * Why PostgreSQL cannot be started here, or undefined when it can. Tests skip with this message,
 * except under CI=true where a missing PostgreSQL is a failure (see requirePostgres).
 */
export function postgresUnavailable(): string | undefined {
  for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(POSTGRES_BIN, bin)))
      return `PostgreSQL binary ${bin} not found in ${POSTGRES_BIN}`;
  }
  if (process.platform !== 'linux') return 'the PostgreSQL test harness needs Linux (runuser)';
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'there is no postgres system user';
  if (process.getuid?.() !== 0)
    return 'starting PostgreSQL as the postgres user needs root (runuser)';
  return undefined;
}

function asPostgres(args: string[]): void {
  const res = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${args[0]} failed (${res.status}): ${res.stderr || res.stdout}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway PostgreSQL cluster: initdb into a temp dir owned by `postgres`, the server on
 * a free port on 127.0.0.1 (trust auth, fsync off: test data only). `stop()` stops it by the PID
 * in postmaster.pid and removes the directory.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const reason = postgresUnavailable();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'concierge-pg-'));
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freeTcpPort();
  asPostgres([
    join(POSTGRES_BIN, 'initdb'),
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  asPostgres([
    join(POSTGRES_BIN, 'pg_ctl'),
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${process.env.POSTGRES_OPTIONS ?? ''}`,
    'start',
  ]);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;

  return {
    url,
    pid,
    unixUrl: (databaseUrl) => {
      const u = new URL(databaseUrl);
      return `postgres://postgres@/${u.pathname.slice(1)}?host=${encodeURIComponent(dir)}&port=${port}`;
    },
    async createDatabase(name = `t${process.pid}_${++counter}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      // SIGINT = fast shutdown: disconnects clients, then exits.
      if (alive(pid)) process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 15_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For suites that need PostgreSQL: undefined (and a clear console message) when it is missing,
 * so the suite skips — but under CI=true a missing PostgreSQL throws, failing the run.
 */
export function requirePostgres(suite: string): boolean {
  const reason = postgresUnavailable();
  if (!reason) return true;
  if (process.env.CI === 'true')
    throw new Error(`${suite}: PostgreSQL is required under CI: ${reason}`);
  console.warn(`SKIPPED ${suite}: ${reason}`);
  return false;
}
