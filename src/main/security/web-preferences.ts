/** The subset of Electron's WebPreferences Concierge sets (structural: no electron import here). */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  /** The ring and the SIP timers must keep running when the window is in the background. */
  backgroundThrottling: false;
  v8CacheOptions: 'bypassHeatCheck';
}

/** The only way the shell builds webPreferences: every security switch explicit (checklist 2-4, 6, 8-12). */
export function secureWebPreferences(preloadPath: string): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    backgroundThrottling: false,
    v8CacheOptions: 'bypassHeatCheck',
  };
}
