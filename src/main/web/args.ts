import { parseArgs } from 'node:util';

export interface WebHostArgs {
  port: number;
  /** True when --port was given: then a busy port is an error instead of a fallback. */
  portExplicit: boolean;
  hubUrl: string | null;
  dataDir: string;
  staticDir: string | null;
  simulator: boolean;
}

export const DEFAULT_WEB_PORT = 7800;

export const WEB_HOST_USAGE = `Usage: npm run web -- [options]
  --port N          HTTP port on 127.0.0.1 (default ${DEFAULT_WEB_PORT}; 0 = any free port)
  --hub URL         use this hub (default: $CONCIERGE_HUB_URL, else a local demo hub is started)
  --data-dir DIR    cache and secrets of this console (default .data/desktop)
  --static DIR      serve a prebuilt renderer (vite build -c vite.renderer.config.ts → out/web)
  --no-simulator    start the demo hub without its traffic simulator`;

export function parseWebHostArgs(argv: string[], env: NodeJS.ProcessEnv): WebHostArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      hub: { type: 'string' },
      'data-dir': { type: 'string' },
      static: { type: 'string' },
      'no-simulator': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new UsageError('');
  const port = values.port === undefined ? DEFAULT_WEB_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a port number, got ${values.port}`);
  }
  const hubUrl = values.hub ?? env.CONCIERGE_HUB_URL ?? null;
  if (hubUrl !== null && !/^https?:\/\/\S+$/.test(hubUrl)) {
    throw new UsageError(`the hub URL must start with http:// or https://, got ${hubUrl}`);
  }
  return {
    port,
    portExplicit: values.port !== undefined,
    hubUrl: hubUrl || null,
    dataDir: values['data-dir'] ?? '.data/desktop',
    staticDir: values.static ?? null,
    simulator: !values['no-simulator'],
  };
}

export class UsageError extends Error {}
