import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Logger } from './logger.js';

/** The few things the launcher needs from a process: Node's ChildProcess and Electron's UtilityProcess both fit. */
export interface HubProcess {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): boolean;
  once(event: 'exit', listener: (code: number | null) => void): unknown;
}

/** Starts the hub with the given CLI arguments. */
export type SpawnHub = (args: string[]) => HubProcess;

export interface RunningHub {
  url: string;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  spawn: SpawnHub;
  dataDir: string;
  logger: Logger;
  preferredPort?: number;
  /** Extra CLI flags, e.g. ['--no-simulator']. */
  extraArgs?: string[];
  timeoutMs?: number;
}

export const DEFAULT_HUB_PORT = 7700;
const LISTENING = /listening on (http\S+)/;

/** True when nothing listens on 127.0.0.1:port right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * Starts the demo hub as a separate process (never in-process: the hub is a server with its own
 * database) on the preferred port, or on a free one when that is taken, and resolves with the URL
 * it prints. On failure the hub's stderr is in the error message.
 */
export async function launchDemoHub(options: LaunchOptions): Promise<RunningHub> {
  const preferred = options.preferredPort ?? DEFAULT_HUB_PORT;
  const first = (await isPortFree(preferred)) ? preferred : 0;
  try {
    return await launchOnce(options, first);
  } catch (error) {
    // Someone took the port between the probe and the hub's listen: try any free port once.
    if (first !== 0 && error instanceof Error && /EADDRINUSE/.test(error.message)) {
      return launchOnce(options, 0);
    }
    throw error;
  }
}

function launchOnce(options: LaunchOptions, port: number): Promise<RunningHub> {
  const args = [
    '--demo',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data-dir',
    options.dataDir,
    ...(options.extraArgs ?? []),
  ];
  const child = options.spawn(args);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });

  // If this process dies without a graceful stop, the hub must not outlive it.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
  let ready = false;
  let stopping = false;
  void exit.then(() => {
    process.off('exit', killOnExit);
    if (ready && !stopping) options.logger.error('the demo hub exited', { stderr: stderr.trim() });
  });

  const stop = async () => {
    stopping = true;
    if (exited) return;
    child.kill();
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5_000).unref())]);
  };

  return new Promise<RunningHub>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`the demo hub did not start within ${options.timeoutMs ?? 60_000} ms\n${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = LISTENING.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        ready = true;
        options.logger.info('demo hub started', { url: match[1] });
        // Keep draining stdout so the child never blocks on a full pipe.
        child.stdout?.on('data', () => undefined);
        resolve({ url: match[1], stop });
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`the demo hub exited before it was ready\n${stderr.trim()}`));
    });
  });
}

/** In a source checkout (npm run web / tests): run src/hub/cli.ts through tsx with this Node. */
export function spawnHubFromSource(repoRoot: string): SpawnHub {
  return (args) =>
    spawn(process.execPath, ['--import', 'tsx', 'src/hub/cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
}

export const repoRootFrom = (moduleUrl: string, levelsUp: number): string =>
  fileURLToPath(new URL(`${'../'.repeat(levelsUp)}`, moduleUrl));
