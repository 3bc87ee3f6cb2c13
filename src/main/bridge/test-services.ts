import { silentLogger } from '../logger.js';
import { createServices } from '../services.js';
import { MemorySecretStore } from '../session/secret-store.js';

/** Real services without a hub (in-memory cache): enough for transport tests. */
export function offlineServices() {
  return createServices({
    dataDir: ':memory:',
    secrets: new MemorySecretStore(),
    notifier: { notify: () => undefined },
    app: { version: '1.2.3', transport: 'web', platform: 'linux' },
    defaultHubUrl: 'http://127.0.0.1:7700',
    logger: silentLogger,
  });
}
