import {
  Alert,
  Box,
  Button,
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
import { isPauseReason, PAUSE_REASONS, useAgentStore } from '../../stores/agent-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { ChevronDownIcon } from '../../ui/icons.js';
import { describeError } from '../../ui/describe-error.js';
import { altKey } from '../../ui/platform.js';
import { stateColor, STATE_KEY, STATE_ORDER, statusLabel } from './agent-state-meta.js';

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
  const [opened, setOpened] = useState(false);

  const current = status?.state ?? null;
  const choose = async (state: SelectableAgentState) => {
    await setState(state);
    if (!useAgentStore.getState().error) setOpened(false);
  };

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
                  value={pauseReason}
                  onChange={(e) => {
                    const reason = e.currentTarget.value;
                    if (!isPauseReason(reason)) return;
                    setPauseReason(reason);
                    // Already paused: the new reason applies at once.
                    if (current === 'paused') void setState('paused');
                  }}
                  data={PAUSE_REASONS.map((r) => ({
                    value: r,
                    label: t(`agentState.reasons.${r}`),
                  }))}
                />
              )}
            </Box>
          ))}
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
