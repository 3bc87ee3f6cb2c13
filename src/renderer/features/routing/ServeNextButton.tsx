import { Button, Text, Tooltip } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAgentStore } from '../../stores/agent-store.js';
import { useRoutingStore } from '../../stores/routing-store.js';
import { describeError } from '../../ui/describe-error.js';

/**
 * Serve next for pull-mode queues: the hub picks the task (never a choice). Disabled, with the
 * reason, when the agent is not available or no queue works in pull mode.
 */
export function ServeNextButton() {
  const { t } = useTranslation();
  const available = useAgentStore((s) => s.status?.state === 'available');
  const pull = useRoutingStore((s) => s.queues.some((q) => q.mode === 'pull'));
  const serving = useRoutingStore((s) => s.serving);
  const serveNext = useRoutingStore((s) => s.serveNext);

  const why = !pull
    ? t('routing.serveNext.noPull')
    : !available
      ? t('routing.serveNext.needAvailable')
      : t('routing.serveNext.hint');
  return (
    <Tooltip label={why} multiline w={220} openDelay={300}>
      {/* A wrapper, so the tooltip also explains a disabled button. */}
      <span>
        <Button
          data-testid="serve-next"
          size="compact-xs"
          variant="light"
          disabled={!pull || !available}
          loading={serving}
          aria-description={why}
          onClick={() => void serveNext()}
        >
          {t('routing.serveNext.button')}
        </Button>
      </span>
    </Tooltip>
  );
}

/** What serve next answered when it was not a ticket: nothing waiting, or an error. */
export function ServeNextResult() {
  const { t } = useTranslation();
  const nothing = useRoutingStore((s) => s.nothingNext);
  const error = useRoutingStore((s) => s.serveError);

  // "Nothing for you" is an answer of a moment, not a state.
  useEffect(() => {
    if (!nothing) return;
    const timer = window.setTimeout(() => useRoutingStore.setState({ nothingNext: false }), 5_000);
    return () => window.clearTimeout(timer);
  }, [nothing]);

  if (!nothing && !error) return null;
  return (
    <Text
      data-testid="serve-next-result"
      size="xs"
      c={error ? 'red.7' : 'dimmed'}
      role="status"
      px="md"
      py={4}
    >
      {error
        ? t('routing.serveNext.failed', { reason: describeError(t, error) })
        : t('routing.serveNext.nothing')}
    </Text>
  );
}
