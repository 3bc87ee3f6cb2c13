// Must come first: React Fast Refresh's preamble as a module, so dev mode needs no inline script
// and the page keeps its strict script-src CSP (it is an empty module in production builds).
import '@vitejs/plugin-react/preamble';
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createRendererBridge, installBridge } from './bridge/index.js';
import { startNotifications } from './features/notifications/start-notifications.js';
import { startRouting } from './features/routing/start-routing.js';
import { initI18n, initialLanguage } from './i18n/index.js';
import { startSync } from './stores/sync.js';
import { useUiStore } from './stores/ui-store.js';
import { ErrorBoundary } from './ui/ErrorBoundary.js';
import { theme } from './ui/theme.js';

async function main(): Promise<void> {
  const language = initialLanguage();
  await initI18n(language);
  useUiStore.setState({ language });

  const bridge = createRendererBridge();
  installBridge(bridge);
  startSync(bridge);
  startNotifications(bridge);
  startRouting(bridge);

  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light">
        {/* Top right: toasts must never cover the reply box and its Send button. */}
        <Notifications position="top-right" limit={3} />
        <ErrorBoundary>
          <App />
        </ErrorBoundary>
      </MantineProvider>
    </StrictMode>,
  );
}

void main();
