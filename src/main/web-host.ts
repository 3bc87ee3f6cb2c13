import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachBridgeWsServer, type BridgeWsServer } from './bridge/ws-server.js';
import { launchDemoHub, spawnHubFromSource, type RunningHub } from './hub-launcher.js';
import { createConsoleLogger } from './logger.js';
import { createServices, type Services } from './services.js';
import { FileSecretStore } from './session/file-secret-store.js';
import { parseWebHostArgs, UsageError, WEB_HOST_USAGE, type WebHostArgs } from './web/args.js';
import { createStaticHandler } from './web/static-files.js';

/**
 * Browser mode (`npm run web`): the very same main-process services as the Electron app, in plain
 * Node, with the renderer served on one HTTP server (Vite middleware, or a prebuilt bundle with
 * --static) and the bridge WebSocket on /bridge of that server.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const logger = createConsoleLogger('web-host');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Renderer {
  handle: Handler;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function listenWithFallback(server: Server, args: WebHostArgs): Promise<number> {
  try {
    return await listen(server, args.port);
  } catch (error) {
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!busy || args.portExplicit) throw error;
    logger.warn(`port ${args.port} is busy, using a free port`);
    return listen(server, 0);
  }
}

async function startRenderer(server: Server, args: WebHostArgs): Promise<Renderer> {
  if (args.staticDir) {
    const handle = createStaticHandler(resolve(args.staticDir));
    return {
      handle: (req, res) => void handle(req, res),
      close: async () => undefined,
    };
  }
  // Loaded only here: Vite is the slowest import of the host and --static does not need it.
  const { createServer: createVite } = await import('vite');
  const vite = await createVite({
    configFile: join(repoRoot, 'vite.renderer.config.ts'),
    appType: 'spa',
    server: { middlewareMode: true, ws: { server } },
    logLevel: 'warn',
  });
  return {
    handle: (req, res) =>
      vite.middlewares(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      }),
    close: () => vite.close(),
  };
}

function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main() {
  let args: WebHostArgs;
  try {
    args = parseWebHostArgs(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(message ? `${message}\n\n${WEB_HOST_USAGE}` : WEB_HOST_USAGE);
    process.exit(error instanceof UsageError && !message ? 0 : 2);
  }
  const dataDir = resolve(args.dataDir);

  let renderer: Renderer | null = null;
  const server = createServer((req, res) => {
    if (renderer) renderer.handle(req, res);
    else res.writeHead(503, { 'retry-after': '1' }).end('starting');
  });
  const port = await listenWithFallback(server, args);

  let hub: RunningHub | null = null;
  let services: Services | null = null;
  let bridge: BridgeWsServer | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (code: number) => {
    stopping ??= (async () => {
      logger.info('shutting down');
      await bridge?.close().catch(() => undefined);
      await services?.stop().catch(() => undefined);
      await renderer?.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      await hub?.stop().catch(() => undefined);
    })();
    void stopping.finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1); // a second Ctrl+C does not wait
      shutdown(0);
    });
  }

  try {
    // The hub and the renderer start in parallel: each takes a second or two on a cold start.
    const hubUrlPromise: Promise<string> = args.hubUrl
      ? Promise.resolve(args.hubUrl)
      : launchDemoHub({
          spawn: spawnHubFromSource(repoRoot),
          dataDir: join(dataDir, 'demo-hub'),
          logger,
          extraArgs: args.simulator ? [] : ['--no-simulator'],
        }).then((running) => {
          hub = running;
          return running.url;
        });
    const [hubUrl, startedRenderer] = await Promise.all([
      hubUrlPromise,
      startRenderer(server, args),
    ]);

    services = createServices({
      dataDir,
      secrets: new FileSecretStore(dataDir),
      // The page shows the web Notification itself when it receives the `notify` event.
      notifier: { notify: () => undefined },
      app: { version: appVersion(), transport: 'web', platform: process.platform },
      defaultHubUrl: hubUrl,
      logger: createConsoleLogger('services'),
    });
    await services.start();
    bridge = attachBridgeWsServer({
      server,
      handlers: services.handlers,
      subscribe: services.onEvent,
      logger,
    });
    renderer = startedRenderer;
    console.log(`Concierge console: http://127.0.0.1:${port}`);
    logger.info('ready', { hubUrl, dataDir, renderer: args.staticDir ? 'static' : 'vite' });
  } catch (error) {
    logger.error('the web host could not start', {
      error: error instanceof Error ? error.message : String(error),
    });
    shutdown(1);
  }
}

void main();
