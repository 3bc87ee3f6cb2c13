import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { bridge } from './bridge/index.js';
import { LoginScreen } from './features/login/LoginScreen.js';
import { Workspace } from './features/agent/Workspace.js';
import { LiveAnnouncer } from './features/notifications/LiveAnnouncer.js';
import { useAppStore } from './stores/app-store.js';
import { useSessionStore } from './stores/session-store.js';
import { loadStart } from './stores/sync.js';

function StartScreen() {
  const { t } = useTranslation();
  const startError = useAppStore((s) => s.startError);
  return (
    <Center h="100dvh">
      {startError ? (
        <Stack align="center" gap="sm" maw={420} ta="center">
          <Text role="alert">{t('app.startFailed', { message: startError })}</Text>
          <Button variant="light" onClick={() => void loadStart(bridge())}>
            {t('app.retry')}
          </Button>
        </Stack>
      ) : (
        <Stack align="center" gap="sm" aria-busy="true">
          <Loader />
          <Text c="dimmed">{t('app.loading')}</Text>
        </Stack>
      )}
    </Center>
  );
}

export function App() {
  const session = useSessionStore((s) => s.session);
  const info = useAppStore((s) => s.info);
  let screen;
  if (!session || !info) screen = <StartScreen />;
  else if (session.status === 'signed_out') screen = <LoginScreen key="login" />;
  else screen = <Workspace />;
  return (
    <>
      {screen}
      <LiveAnnouncer />
    </>
  );
}
