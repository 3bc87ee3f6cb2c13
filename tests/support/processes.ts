import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a project entry point (TypeScript through tsx, or a built `.mjs`) as a child process and
 * waits for the line that announces its URL. The process is stopped by its PID.
 */
export async function startProcess(
  name: string,
  entry: string,
  args: string[],
  readyLine: RegExp,
  timeoutMs = 60_000,
): Promise<Started> {
  // CHILD_NODE_ARGS adds Node flags to every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // A built module (`.mjs`, e.g. the hub bundle) runs as it is; TypeScript through tsx.
  const loader = entry.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // E2E_LOG_DIR keeps each child's whole output, for diagnosing a failure after the fact.
  const logDir = process.env.E2E_LOG_DIR;
  if (logDir) {
    mkdirSync(logDir, { recursive: true });
    const file = join(logDir, `${name.replace(/\W+/g, '-')}-${child.pid ?? 'x'}.log`);
    const keep = (chunk: Buffer) => appendFileSync(file, chunk);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyLine.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      // A profiled child (CHILD_NODE_ARGS) writes its profile on exit, which can take a while.
      const grace = nodeArgs.length > 0 ? 60_000 : 5_000;
      const timer = setTimeout(() => child.kill('SIGKILL'), grace);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `port` 0 picks a free one; pass the previous hub's port to restart it at the same address. */
export const startHub = (dataDir: string, extra: string[] = [], port = 0) =>
  startProcess(
    'hub',
    'src/hub/cli.ts',
    ['--port', String(port), '--data-dir', dataDir, ...extra],
    /listening on (http\S+)/,
  );

export const startConsole = (hubUrl: string, dataDir: string) =>
  startProcess(
    'web console',
    'src/main/web-host.ts',
    ['--port', '0', '--hub', hubUrl, '--data-dir', dataDir, '--static', 'out/web'],
    /Concierge console: (http\S+)/,
  );
