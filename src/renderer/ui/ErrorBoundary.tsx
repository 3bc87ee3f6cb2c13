import { Button, Center, Code, Stack, Text, Title } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

function CrashScreen({ error }: { error: Error }) {
  const { t } = useTranslation();
  return (
    <Center h="100dvh" p="xl">
      <Stack align="center" gap="sm" maw={520} ta="center" role="alert">
        <Title order={1} size="h3">
          {t('app.crashed')}
        </Title>
        <Text c="dimmed">{t('app.crashedHint')}</Text>
        <Code block w="100%">
          {error.message}
        </Code>
        <Button onClick={() => window.location.reload()}>{t('app.reload')}</Button>
      </Stack>
    </Center>
  );
}

/** A rendering bug shows a way out (reload; drafts live in main) instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('The console crashed while rendering', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.error ? <CrashScreen error={this.state.error} /> : this.props.children;
  }
}
