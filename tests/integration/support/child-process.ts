import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BUNDLE = join(
  process.cwd(),
  'node_modules',
  '.cache',
  'concierge-tests',
  'services-child.mjs',
);
let bundled: Promise<string> | null = null;

/**
 * Bundles the child once per test run (esbuild; native modules left to node_modules): starting it
 * then costs a plain `node` start, not a TypeScript compile, so a test can kill and restart it
 * hundreds of times.
 */
export function bundleChild(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    mkdirSync(join(BUNDLE, '..'), { recursive: true });
    await build({
      entryPoints: [join(process.cwd(), 'tests/integration/support/services-child.ts')],
      outfile: BUNDLE,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Native and optional-dependency packages stay in node_modules; zod is bundled (one file
      // loads much faster than its hundreds of modules).
      external: ['better-sqlite3', 'ws'],
      logLevel: 'silent',
    });
    return BUNDLE;
  })();
  return bundled;
}

export interface Child {
  process: ChildProcess;
  exited: Promise<unknown>;
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the services child and waits until it is ready for commands. */
export async function startChild(env: {
  dataDir: string;
  hubUrl: string;
  killBeforeSend?: number;
}): Promise<Child> {
  const file = await bundleChild();
  const child = spawn(process.execPath, [file], {
    env: {
      ...process.env,
      CHILD_DATA_DIR: env.dataDir,
      CHILD_HUB_URL: env.hubUrl,
      CHILD_KILL_BEFORE_SEND: String(env.killBeforeSend ?? 0),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  // A killed child's pipes reset: that is the point of the test, not an error.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as {
      ready?: boolean;
      id?: number;
      ok?: boolean;
      value?: unknown;
      error?: string;
    };
    if (message.ready) return ready();
    const waiter = pending.get(message.id ?? -1);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(message.error));
  });
  void exited.then(() => {
    for (const w of pending.values()) w.reject(new Error(`child exited\n${stderr}`));
    pending.clear();
  });
  await Promise.race([
    readyPromise,
    exited.then(() => {
      throw new Error(`child exited before it was ready:\n${stderr}`);
    }),
  ]);
  let next = 1;
  return {
    process: child,
    exited,
    call<T>(op: string, args: Record<string, unknown> = {}) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.stdin?.write(`${JSON.stringify({ id, op, ...args })}\n`);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
