import { parseArgs } from 'node:util';
import { startHub, type HubOptions } from './server.js';
import { MAX_POOL_SIZE, MIN_POOL_SIZE } from './db/postgres.js';
import { parseHostPort } from './telephony/config.js';

const USAGE = `Usage: hub [--port 7700] [--host 127.0.0.1] [--data-dir .data/hub]
           [--database-url postgres://…] [--pool-size 4] [--demo] [--no-simulator]
           [--log-level info]
           [--telephony-key KEY --kamailio-evapi HOST:PORT --sip-domain D --sip-ws-url WS]
DATABASE_URL is used when --database-url is not given; --pool-size (or CONCIERGE_POOL_SIZE):
PostgreSQL connections of this hub.
Telephony (softphone, queue calls; docs/softphone.md): on when a telephony key is given
(--telephony-key or CONCIERGE_TELEPHONY_KEY).`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer 0-65535, got "${text}"`);
  }
  return port;
}

function parsePoolSize(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < MIN_POOL_SIZE || size > MAX_POOL_SIZE) {
    throw new Error(
      `--pool-size must be an integer ${MIN_POOL_SIZE}-${MAX_POOL_SIZE}, got "${text}"`,
    );
  }
  return size;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7700' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: '.data/hub' },
      'database-url': { type: 'string' },
      'pool-size': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'no-simulator': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
      'telephony-key': { type: 'string' },
      'kamailio-evapi': { type: 'string' },
      'sip-domain': { type: 'string' },
      'sip-ws-url': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const poolSize = values['pool-size'] ?? process.env.CONCIERGE_POOL_SIZE;
  const opts: HubOptions = {
    port: parsePort(values.port),
    host: values.host,
    demo: values.demo,
    simulator: !values['no-simulator'],
    // Logs go to stderr: stdout carries only the listening line that launchers parse.
    logging: { level: values['log-level'], stream: process.stderr },
    ...(databaseUrl ? { databaseUrl } : { dataDir: values['data-dir'] }),
    ...(poolSize !== undefined ? { poolSize: parsePoolSize(poolSize) } : {}),
  };
  const telephonyKey = values['telephony-key'] ?? process.env.CONCIERGE_TELEPHONY_KEY;
  if (telephonyKey) {
    opts.telephony = {
      key: telephonyKey,
      ...(values['kamailio-evapi'] ? { evapi: parseHostPort(values['kamailio-evapi']) } : {}),
      ...(values['sip-domain'] ? { domain: values['sip-domain'] } : {}),
      ...(values['sip-ws-url'] ? { wsUrl: values['sip-ws-url'] } : {}),
    };
  }
  const hub = await startHub(opts);
  process.stdout.write(`Concierge hub listening on ${hub.url}\n`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`hub: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`hub: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`hub: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(1);
});
