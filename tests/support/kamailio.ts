import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort } from './ports.js';

export { freeTcpPort };

/** The project's Kamailio config (resources/kamailio/kamailio.cfg). */
export const KAMAILIO_CFG = resolve(
  fileURLToPath(new URL('../../resources/kamailio/kamailio.cfg', import.meta.url)),
);
export const KAMAILIO_BIN = process.env.KAMAILIO_BIN ?? 'kamailio';

export interface KamailioOptions {
  /** The hub Kamailio asks for HA1s (http_client). */
  hubUrl: string;
  /** Shared key of the hub's telephony endpoints. */
  hubKey: string;
  domain?: string;
  /** Kamailio debug level (2 = info). */
  logLevel?: number;
  shmMb?: number;
}

export interface TestKamailio {
  domain: string;
  /** ws://127.0.0.1:<port> for the consoles. */
  wsUrl: string;
  /** UDP port for SIPp. */
  sipPort: number;
  /** host:port of the evapi socket the hub connects to. */
  evapi: { host: string; port: number };
  pid(): number | undefined;
  log(): string;
  /** Stops Kamailio (SIGTERM to its main process, by PID) and starts it again, same ports. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Why Kamailio cannot be started here, or undefined when it can. Tests skip with this message,
 * except under CI=true, where a missing Kamailio is a failure.
 */
export function kamailioUnavailable(): string | undefined {
  const probe = spawnSync(KAMAILIO_BIN, ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `kamailio not runnable (${KAMAILIO_BIN} -v)`;
  const check = spawnSync('sh', [
    '-c',
    `ls /usr/lib/*/kamailio/modules/evapi.so /usr/lib/*/kamailio/modules/websocket.so`,
  ]);
  if (check.status !== 0)
    return 'kamailio evapi/websocket modules missing (kamailio-extra-modules, kamailio-websocket-modules)';
  return undefined;
}

/** Throws under CI=true when Kamailio is missing; otherwise returns the skip reason (or undefined). */
export function requireKamailio(): string | undefined {
  const why = kamailioUnavailable();
  if (why && process.env.CI === 'true')
    throw new Error(`Kamailio is required under CI=true: ${why}`);
  if (why) console.warn(`skipping Kamailio tests: ${why}`);
  return why;
}

/** The generated include with this instance's values (#!substdef, see kamailio.cfg). */
export function localCfg(v: {
  ip: string;
  domain: string;
  sipPort: number;
  wsPort: number;
  evapi: string;
  hubUrl: string;
  hubKey: string;
  runDir: string;
  logLevel: number;
}): string {
  const def = (name: string, value: string | number) => {
    const text = String(value);
    if (text.includes('!')) throw new Error(`${name} must not contain "!"`);
    return `#!substdef "!${name}!${text}!g"\n`;
  };
  return (
    def('MY_IP', v.ip) +
    def('MY_DOMAIN', v.domain) +
    def('SIP_PORT', v.sipPort) +
    def('WS_PORT', v.wsPort) +
    def('EVAPI_ADDR', v.evapi) +
    def('HUB_URL', v.hubUrl.replace(/\/+$/, '')) +
    def('HUB_KEY', v.hubKey) +
    def('RUN_DIR', v.runDir) +
    def('LOG_LEVEL', v.logLevel)
  );
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kamailio exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((res) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        res(true);
      });
      socket.once('error', () => res(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`kamailio did not listen on ${port} within ${timeoutMs} ms`);
}

/** Starts Kamailio on free loopback ports with a generated config; stop() kills it by PID. */
export async function startKamailio(opts: KamailioOptions): Promise<TestKamailio> {
  const runDir = mkdtempSync(join(tmpdir(), 'concierge-kamailio-'));
  const domain = opts.domain ?? 'concierge.local';
  const [wsPort, evapiPort, sipPort] = await Promise.all([
    freeTcpPort(),
    freeTcpPort(),
    freeUdpPort(),
  ]);
  copyFileSync(KAMAILIO_CFG, join(runDir, 'kamailio.cfg'));
  writeFileSync(
    join(runDir, 'concierge-local.cfg'),
    localCfg({
      ip: '127.0.0.1',
      domain,
      sipPort,
      wsPort,
      evapi: `127.0.0.1:${evapiPort}`,
      hubUrl: opts.hubUrl,
      hubKey: opts.hubKey,
      runDir,
      logLevel: opts.logLevel ?? 1,
    }),
  );
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    output += `--- start ${new Date().toISOString()}\n`;
    child = spawn(
      KAMAILIO_BIN,
      [
        '-f',
        join(runDir, 'kamailio.cfg'),
        '-m',
        String(opts.shmMb ?? 256),
        '-M',
        '16',
        '-DD',
        '-E',
        '-P',
        join(runDir, 'kamailio.pid'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await waitForPort(wsPort, 10_000, child);
    await waitForPort(evapiPort, 10_000, child);
  };
  const kill = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise((r) => c.once('exit', r));
    process.kill(c.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await launch();
  } catch (error) {
    await kill();
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`, { cause: error });
  }
  return {
    domain,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    sipPort,
    evapi: { host: '127.0.0.1', port: evapiPort },
    pid: () => (child as ChildProcess | null)?.pid,
    log: () => output,
    async restart(downMs = 500) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await kill();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
