import {
  Alert,
  Box,
  Button,
  Checkbox,
  Group,
  Kbd,
  NativeSelect,
  Popover,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type SelectableAgentState } from '../../../shared/domain/agent.js';
import { formatWhen } from '../../i18n/format.js';
import { PAUSE_REASONS, useAgentStore } from '../../stores/agent-store.js';
import { useRoutingStore } from '../../stores/routing-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { ChevronDownIcon } from '../../ui/icons.js';
import { describeError } from '../../ui/describe-error.js';
import { altKey } from '../../ui/platform.js';
import {
  reasonLabel,
  stateColor,
  STATE_KEY,
  STATE_ORDER,
  statusLabel,
} from './agent-state-meta.js';

function StateDot({ state }: { state: string }) {
  const color = stateColor(state);
  return (
    <Box
      component="span"
      className="state-dot"
      style={{ background: `var(--mantine-color-${color}-6)` }}
      aria-hidden="true"
    />
  );
}

/**
 * The agent's state: Available / Paused (with a reason) / Offline. The button opens a small panel;
 * Alt+1/2/3 do the same from anywhere (see useShortcuts).
 */
export function AgentStateControl() {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const status = useAgentStore((s) => s.status);
  const pending = useAgentStore((s) => s.pending);
  const error = useAgentStore((s) => s.error);
  const pauseReason = useAgentStore((s) => s.pauseReason);
  const setPauseReason = useAgentStore((s) => s.setPauseReason);
  const setState = useAgentStore((s) => s.setState);
  const hubReasons = useRoutingStore((s) => s.pauseReasons);
  const [opened, setOpened] = useState(false);
  const [afterWork, setAfterWork] = useState(false);

  const current = status?.state ?? null;
  const choose = async (state: SelectableAgentState) => {
    await setState(state, { afterWork });
    if (!useAgentStore.getState().error) {
      setOpened(false);
      setAfterWork(false);
    }
  };
  // The hub's reasons an agent may choose (system ones such as "missed offer" are the hub's).
  const selectable = hubReasons.filter((r) => !r.system && r.enabled).map((r) => r.code);
  const reasons = selectable.length > 0 ? selectable : [...PAUSE_REASONS];
  const next = status?.next ?? null;
  const nextText = next
    ? t('routing.nextState.pending', {
        state:
          next.state === 'paused' && next.reason
            ? t('agentState.pausedWithReason', { reason: reasonLabel(t, next.reason) })
            : t(`agentState.${next.state}`),
      })
    : null;

  const shortcutHelp = STATE_ORDER.map(
    (s) => `${altKey()}+${STATE_KEY[s].label} ${t(`agentState.${s}`)}`,
  ).join(' · ');

  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-start"
      width={300}
      shadow="md"
      trapFocus
      returnFocus
    >
      <Popover.Target>
        <Tooltip
          label={shortcutHelp}
          openDelay={400}
          events={{ hover: true, focus: true, touch: false }}
        >
          <Button
            data-testid="agent-state"
            data-state={current ?? 'unknown'}
            variant="default"
            onClick={() => setOpened((o) => !o)}
            loading={pending !== null}
            aria-label={`${t('agentState.change')}: ${statusLabel(t, status)}`}
            aria-haspopup="dialog"
            aria-expanded={opened}
            leftSection={current ? <StateDot state={current} /> : null}
            rightSection={<ChevronDownIcon size={14} />}
          >
            {statusLabel(t, status)}
            {nextText && (
              <Text component="span" size="xs" c="dimmed" ml={6} data-testid="next-state-pending">
                → {nextText}
              </Text>
            )}
          </Button>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown aria-label={t('agentState.label')}>
        <Stack gap={6}>
          <Group justify="space-between">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase">
              {t('agentState.label')}
            </Text>
            {status && (
              <Text size="xs" c="dimmed">
                {t('agentState.since', { time: formatWhen(status.since, language) })}
              </Text>
            )}
          </Group>
          {STATE_ORDER.map((state) => (
            <Box key={state}>
              <UnstyledButton
                data-testid={`state-option-${state}`}
                className="state-option"
                data-active={current === state || undefined}
                aria-pressed={current === state}
                aria-keyshortcuts={`Alt+${STATE_KEY[state].label}`}
                disabled={pending !== null}
                onClick={() => void choose(state)}
              >
                <Group gap="sm" wrap="nowrap" align="flex-start">
                  <Box pt={5}>
                    <StateDot state={state} />
                  </Box>
                  <Box style={{ flex: 1 }}>
                    <Text size="sm" fw={600}>
                      {t(`agentState.${state}`)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t(`agentState.${state}Hint`)}
                    </Text>
                  </Box>
                  <Kbd size="xs">
                    {altKey()}+{STATE_KEY[state].label}
                  </Kbd>
                </Group>
              </UnstyledButton>
              {state === 'paused' && (
                <NativeSelect
                  data-testid="pause-reason"
                  label={t('agentState.pauseReason')}
                  size="xs"
                  mt={4}
                  ml={30}
                  value={reasons.includes(pauseReason) ? pauseReason : reasons[0]}
                  onChange={(e) => {
                    const reason = e.currentTarget.value;
                    if (!reason) return;
                    setPauseReason(reason);
                    // Already paused: the new reason applies at once.
                    if (current === 'paused') void setState('paused');
                  }}
                  data={reasons.map((r) => ({ value: r, label: reasonLabel(t, r) }))}
                />
              )}
            </Box>
          ))}
          <Checkbox
            data-testid="next-state"
            size="xs"
            mt={4}
            checked={afterWork}
            onChange={(e) => setAfterWork(e.currentTarget.checked)}
            label={t('routing.nextState.label')}
            description={t('routing.nextState.hint')}
          />
          {nextText && (
            <Text size="xs" c="violet.8" fw={600}>
              {nextText}
            </Text>
          )}
          {error && (
            <Alert color="red" variant="light" p="xs" role="alert">
              <Text size="xs">
                {t('agentState.changeFailed', { reason: describeError(t, error) })}
              </Text>
            </Alert>
          )}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
