import { Box, Button, Group, NativeSelect, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type WrapUp } from '../../../shared/bridge/routing.js';
import { hubCode, useRoutingStore } from '../../stores/routing-store.js';
import { describeError } from '../../ui/describe-error.js';
import { formatCountdown, useCountdown } from './useCountdown.js';

/**
 * After-call work: the hub's countdown, the topic (a list when the queue has one; required where
 * the queue says so), Finish early and Extend once. When the time runs out the hub ends it.
 */
export function WrapUpBar() {
  const wrapUp = useRoutingStore((s) => s.wrapUp);
  return wrapUp ? <RunningWrapUp key={wrapUp.taskId ?? wrapUp.until} wrapUp={wrapUp} /> : null;
}

function RunningWrapUp({ wrapUp }: { wrapUp: NonNullable<WrapUp> }) {
  const { t } = useTranslation();
  const busy = useRoutingStore((s) => s.wrapUpBusy);
  const error = useRoutingStore((s) => s.wrapUpError);
  const end = useRoutingStore((s) => s.endWrapUp);
  const extend = useRoutingStore((s) => s.extendWrapUp);
  const [topic, setTopic] = useState('');
  const [missing, setMissing] = useState(false);
  const seconds = useCountdown(wrapUp.until);
  const needsTopic = wrapUp.topicRequired || hubCode(error) === 'topic_required';

  useEffect(() => useRoutingStore.setState({ wrapUpError: null }), [wrapUp.taskId]);

  const finish = () => {
    const chosen = topic.trim();
    if (needsTopic && !chosen) {
      setMissing(true);
      return;
    }
    setMissing(false);
    void end(chosen || null);
  };

  const topicLabel = needsTopic ? t('routing.wrapUp.topicRequired') : t('routing.wrapUp.topic');
  const topicError = missing ? t('routing.wrapUp.topicNeeded') : undefined;
  return (
    <Box
      component="section"
      data-testid="wrapup-bar"
      className="wrapup-bar"
      aria-label={t('routing.wrapUp.label')}
    >
      <Group justify="space-between" wrap="wrap" gap="sm" align="flex-end">
        <Box style={{ minWidth: 0 }}>
          <Text fw={700} size="sm" c="violet.8">
            {wrapUp.queueName
              ? t('routing.wrapUp.title', { queue: wrapUp.queueName })
              : t('routing.wrapUp.label')}
          </Text>
          <Text size="xs" c="dimmed">
            {t('routing.wrapUp.hint')}
          </Text>
        </Box>
        <Group gap="sm" wrap="nowrap" align="flex-end">
          <Text
            data-testid="wrapup-countdown"
            data-seconds={seconds}
            role="timer"
            aria-live="off"
            fw={800}
            size="lg"
            c="violet.8"
            aria-label={t('routing.wrapUp.left', { time: formatCountdown(seconds) })}
          >
            {formatCountdown(seconds)}
          </Text>
          {wrapUp.topics.length > 0 ? (
            <NativeSelect
              data-testid="wrapup-topic"
              size="xs"
              label={topicLabel}
              value={topic}
              error={topicError}
              onChange={(e) => {
                setTopic(e.currentTarget.value);
                setMissing(false);
              }}
              data={[
                { value: '', label: t('routing.wrapUp.chooseTopic') },
                ...wrapUp.topics.map((value) => ({ value, label: value })),
              ]}
            />
          ) : (
            needsTopic && (
              <TextInput
                data-testid="wrapup-topic"
                size="xs"
                label={topicLabel}
                value={topic}
                error={topicError}
                maxLength={100}
                onChange={(e) => {
                  setTopic(e.currentTarget.value);
                  setMissing(false);
                }}
              />
            )
          )}
          <Button
            data-testid="wrapup-extend"
            size="xs"
            variant="default"
            disabled={busy || wrapUp.extended}
            onClick={() => void extend()}
          >
            {wrapUp.extended ? t('routing.wrapUp.extended') : t('routing.wrapUp.extend')}
          </Button>
          <Button data-testid="wrapup-end" size="xs" color="violet" loading={busy} onClick={finish}>
            {t('routing.wrapUp.end')}
          </Button>
        </Group>
      </Group>
      {error && !missing && (
        <Text size="xs" c="red.7" mt={4} role="alert">
          {hubCode(error) === 'topic_required'
            ? t('routing.wrapUp.topicNeeded')
            : t('routing.wrapUp.failed', { reason: describeError(t, error) })}
        </Text>
      )}
    </Box>
  );
}
