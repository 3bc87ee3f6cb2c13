import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, powerMonitor, session, type BrowserWindow } from 'electron';
import { launchDemoHub, type RunningHub } from '../hub-launcher.js';
import { createConsoleLogger } from '../logger.js';
import { APP_ORIGIN, originOf, trustedOrigins } from '../security/app-origin.js';
import { createServices } from '../services.js';
import { configuredHubUrl, readSettings } from '../settings.js';
import { spawnHubInUtilityProcess } from './demo-hub.js';
import { wireIpc } from './ipc.js';
import { createElectronNotifier } from './notifier.js';
import { createRingAttention } from './ring-attention.js';
import { registerAppScheme, serveRenderer } from './protocol.js';
import { createSafeSecretStore } from './secret-store.js';
import { secureSession } from './session-security.js';
import { createMainWindow } from './window.js';

const here = dirname(fileURLToPath(import.meta.url)); // out/main

/** The Electron shell: a secure window around the plain-Node services. */
export async function runElectronApp(): Promise<void> {
  const logger = createConsoleLogger('electron');
  // Tests and portable installs point the profile elsewhere; must happen before the lock and 'ready'.
  const profileDir = process.env.CONCIERGE_USER_DATA_DIR;
  if (profileDir) app.setPath('userData', profileDir);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerAppScheme();
  app.enableSandbox();

  let window: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // Defence in depth for any web contents, not only the main window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  await app.whenReady();

  // electron-vite sets ELECTRON_RENDERER_URL in development only.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const trusted = trustedOrigins(devServerUrl);
  serveRenderer(join(here, '../renderer'));
  secureSession(session.defaultSession, trusted, devServerUrl ? originOf(devServerUrl) : null);

  const userData = app.getPath('userData');
  const configured = configuredHubUrl(process.env, readSettings(userData));
  let hub: RunningHub | null = null;
  // The window opens while the demo hub starts; the login screen asks for its URL when it needs it.
  const defaultHubUrl: Promise<string | null> = configured
    ? Promise.resolve(configured)
    : launchDemoHub({
        spawn: spawnHubInUtilityProcess(join(here, 'hub.js')),
        dataDir: join(userData, 'demo-hub'),
        logger,
      }).then(
        (running) => {
          hub = running;
          return running.url;
        },
        (error: unknown) => {
          logger.error('the demo hub could not start', {
            error: error instanceof Error ? error.message : String(error),
          });
          return null;
        },
      );

  const services = createServices({
    dataDir: userData,
    secrets: createSafeSecretStore(userData, logger),
    notifier: createElectronNotifier(() => window),
    onRing: createRingAttention(() => window),
    app: { version: app.getVersion(), transport: 'electron', platform: process.platform },
    defaultHubUrl,
    logger: createConsoleLogger('services'),
  });
  await services.start();
  const unwire = wireIpc(services, trusted, () => window?.webContents ?? null, logger);
  powerMonitor.on('resume', () => services.reconnectNow());

  const open = () => {
    window = createMainWindow({
      preloadPath: join(here, '../preload/index.cjs'),
      startUrl: devServerUrl ?? `${APP_ORIGIN}/index.html`,
      trusted,
      logger,
    });
    window.on('closed', () => {
      window = null;
    });
  };
  open();

  app.on('activate', () => {
    if (!window) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void (async () => {
      unwire();
      await services.stop().catch(() => undefined);
      await defaultHubUrl;
      await (hub as RunningHub | null)?.stop().catch(() => undefined);
      app.quit();
    })();
  });
}
