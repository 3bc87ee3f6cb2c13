import { BrowserWindow, shell } from 'electron';
import { type Logger } from '../logger.js';
import { classifyNavigation } from '../security/navigation.js';
import { secureWebPreferences } from '../security/web-preferences.js';

export interface WindowOptions {
  preloadPath: string;
  startUrl: string;
  trusted: readonly string[];
  logger: Logger;
}

/** Hands a link to the OS browser only when the URL parser says it is a plain http(s) URL. */
function openExternally(url: string, trusted: readonly string[], logger: Logger) {
  if (classifyNavigation(url, trusted) === 'external-allowed') {
    void shell
      .openExternal(url)
      .catch((error: unknown) => logger.warn('could not open a link externally', { error }));
  } else {
    logger.warn('blocked a navigation', { url: url.slice(0, 200) });
  }
}

/** The console window: sandboxed, isolated, no Node, navigation locked to the app. */
export function createMainWindow(options: WindowOptions): BrowserWindow {
  const { trusted, logger } = options;
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Concierge',
    backgroundColor: '#f8f9fa',
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  const contents = window.webContents;

  // New windows are never created; http(s) links open in the user's browser.
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url, trusted, logger);
    return { action: 'deny' };
  });
  // Navigation stays inside the app's origin (checklist #13); redirects are checked the same way.
  const guard = (event: { url: string; preventDefault(): void }) => {
    if (classifyNavigation(event.url, trusted) === 'internal') return;
    event.preventDefault();
    openExternally(event.url, trusted, logger);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());

  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.startUrl);
  return window;
}
