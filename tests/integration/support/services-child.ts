/**
 * The main-process services in a process of their own, driven over stdin/stdout with JSON lines,
 * so crash tests can kill -9 exactly what the Electron main process or the web host would run.
 *
 * Environment: CHILD_DATA_DIR, CHILD_HUB_URL; CHILD_KILL_BEFORE_SEND (0..1) = probability of
 * killing itself after an outbox attempt was recorded and before the request leaves.
 * Commands: {id, op: 'login'|'get'|'send'|'draft'|'draftGet'|'drain'|'outbox', ...} → {id, ok, value|error}.
 */
import { createInterface } from 'node:readline';
import { silentLogger } from '../../../src/main/logger.js';
import { createServices } from '../../../src/main/services.js';
import { FileSecretStore } from '../../../src/main/session/file-secret-store.js';

const dataDir = process.env.CHILD_DATA_DIR!;
const hubUrl = process.env.CHILD_HUB_URL!;
const killBeforeSend = Number(process.env.CHILD_KILL_BEFORE_SEND ?? '0');

const services = createServices({
  dataDir,
  secrets: new FileSecretStore(dataDir),
  notifier: { notify: () => undefined },
  app: { version: '0.0.0-child', transport: 'web', platform: process.platform },
  defaultHubUrl: hubUrl,
  logger: silentLogger,
  requestTimeoutMs: 5_000,
  streamBackoff: { baseMs: 200, maxMs: 1_000 },
  outbox: {
    backoff: { baseMs: 10, maxMs: 100 },
    beforeSend: () => {
      if (Math.random() < killBeforeSend) process.kill(process.pid, 'SIGKILL');
    },
  },
});

let undelivered = 0;
const drainWaiters = new Set<() => void>();
services.onEvent((name, payload) => {
  if (name !== 'outbox.changed') return;
  const rows = (payload as { rows: { state: string }[] }).rows;
  undelivered = rows.filter((r) => r.state !== 'delivered').length;
  if (undelivered === 0) for (const resolve of drainWaiters) resolve();
});

type Command = { id: number; op: string; ticketId?: string; text?: string; login?: string };
const h = services.handlers;

async function run(command: Command): Promise<unknown> {
  const ticketId = command.ticketId ?? '';
  switch (command.op) {
    case 'login':
      return h['session.login']({ hubUrl, login: command.login ?? 'lead1', password: 'demo' });
    case 'session':
      return h['session.get']({});
    case 'get':
      return h['tickets.get']({ ticketId });
    case 'send':
      return h['outbox.send']({ ticketId, text: command.text ?? '' });
    case 'draft':
      return h['drafts.save']({ ticketId, text: command.text ?? '' });
    case 'draftGet':
      return h['drafts.get']({ ticketId });
    case 'outbox':
      return h['outbox.list']({});
    case 'drain': {
      const snapshot = await h['outbox.list']({});
      if (snapshot.rows.every((r) => r.state === 'delivered')) return { undelivered: 0 };
      await new Promise<void>((resolve) => drainWaiters.add(resolve));
      return { undelivered: 0 };
    }
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

await services.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  run(command).then(
    (value) => process.stdout.write(`${JSON.stringify({ id: command.id, ok: true, value })}\n`),
    (error: unknown) =>
      process.stdout.write(
        `${JSON.stringify({ id: command.id, ok: false, error: error instanceof Error ? error.message : String(error) })}\n`,
      ),
  );
});
process.on('SIGTERM', () => {
  void services.stop().then(() => process.exit(0));
});
