import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/hub/demo/simulator.js';
import { startHub } from '../../../src/hub/server.js';
import { call, TEST_SCRYPT_COST } from './harness.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'concierge-demo-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function counts(db: { query: (sql: string) => Promise<Record<string, unknown>[]> }) {
  const [row] = await db.query(`select
    (select count(*) from agents)::int as agents,
    (select count(*) from queues)::int as queues,
    (select count(*) from agent_queues)::int as memberships,
    (select count(*) from integration_tokens)::int as tokens,
    (select count(*) from customers)::int as customers`);
  return row;
}

describe('hub demo', () => {
  it('seeds once: --demo twice on the same data dir does not duplicate anything', async () => {
    const dir = tempDir();
    const first = await startHub({
      dataDir: dir,
      demo: true,
      simulator: false,
      scryptCost: TEST_SCRYPT_COST,
    });
    const before = await counts(first.ctx.db);
    await first.close();
    expect(before).toEqual({ agents: 5, queues: 3, memberships: 7, tokens: 1, customers: 8 });

    const second = await startHub({
      dataDir: dir,
      demo: true,
      simulator: false,
      scryptCost: TEST_SCRYPT_COST,
    });
    try {
      expect(await counts(second.ctx.db)).toEqual(before);
      const login = await call<{ token: string }>(second.url, 'POST', '/api/v1/auth/login', {
        body: { login: 'agent1', password: 'demo' },
      });
      expect(login.status).toBe(200);
      const lead = await call(second.url, 'POST', '/api/v1/auth/login', {
        body: { login: 'lead1', password: 'demo' },
      });
      expect(lead.status).toBe(200);
      await call(second.url, 'PUT', '/api/v1/me/state', {
        token: login.body.token,
        body: { state: 'available' },
      });
      const res = await call<{ taskId: string }>(second.url, 'POST', '/api/v1/inbound/messages', {
        token: 'demo-integration-key',
        body: {
          channel: 'email',
          from: { email: 'ewa@example.com' },
          text: 'Dzień dobry, gdzie moja paczka?',
        },
      });
      expect(res.status).toBe(201);
      const work = await call<{ tickets: unknown[] }>(second.url, 'GET', '/api/v1/me/work', {
        token: login.body.token,
      });
      expect(work.body.tickets).toHaveLength(1);

      // The simulator posts realistic messages until stopped.
      const sim = startSimulator(second.ctx, { intervalMs: 30 });
      const deadline = Date.now() + 5000;
      let n = 0;
      while (Date.now() < deadline) {
        const [row] = await second.ctx.db.query<{ n: number }>(
          `select count(*)::int as n from messages where direction = 'in'`,
        );
        n = row!.n;
        if (n >= 4) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await sim.stop();
      expect(n).toBeGreaterThanOrEqual(4);
      const [after] = await second.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from messages where direction = 'in'`,
      );
      await new Promise((r) => setTimeout(r, 150));
      const [later] = await second.ctx.db.query<{ n: number }>(
        `select count(*)::int as n from messages where direction = 'in'`,
      );
      expect(later!.n).toBe(after!.n);
    } finally {
      await second.close();
    }
  });

  it('the CLI refuses a bad --pool-size with a clear message', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/hub/cli.ts', '--port', '0', '--pool-size', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--pool-size must be an integer 2-1000, got "1"');
    expect(stderr).toContain('Usage: hub');
  }, 30_000);

  it('the CLI prints exactly the listening line on stdout and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/hub/cli.ts',
        '--port',
        '0',
        '--data-dir',
        join(dir, 'hub'),
        '--demo',
        '--no-simulator',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no listening line; stderr: ${stderr}`)),
        30_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /listening on (http\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`hub exited ${code}: ${stderr}`)));
    });
    expect(stdout).toMatch(/^Concierge hub listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    expect((await call(url, 'GET', '/api/v1/health')).body).toMatchObject({ ok: true });
    // Secrets never reach the log.
    await call(url, 'POST', '/api/v1/auth/login', { body: { login: 'agent1', password: 'demo' } });
    await fetch(new URL('/api/v1/me?token=supersecret-query-token', url), {
      headers: { authorization: 'Bearer supersecret-header-token' },
    });
    const exit = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('supersecret');
    expect(stderr).toContain('[redacted]');
  }, 60_000);
});
