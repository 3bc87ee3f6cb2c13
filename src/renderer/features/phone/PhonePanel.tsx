import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../bridge/index.js';
import { ActiveCall } from './ActiveCall.js';
import { CallHistory } from './CallHistory.js';
import { usePhoneStore } from './phone-store.js';
import { PhoneSettings } from './PhoneSettings.js';
import { startPhone } from './start-phone.js';
import { usePhoneShortcuts } from './usePhoneShortcuts.js';

const LIGHT = {
  registered: 'green',
  connecting: 'yellow',
  failed: 'red',
  disabled: 'gray',
} as const;

/** The softphone: registration light, dialler, the live calls, history and device settings. */
export function PhonePanel() {
  const { t } = useTranslation();
  const phone = usePhoneStore((s) => s.phone);
  const allCalls = usePhoneStore((s) => s.phone.calls);
  const calls = useMemo(() => allCalls.filter((c) => c.state !== 'ended'), [allCalls]);
  const error = usePhoneStore((s) => s.error);
  const run = usePhoneStore((s) => s.run);
  const set = usePhoneStore((s) => s.set);
  const [dial, setDial] = useState('');
  useEffect(() => startPhone(), []);
  usePhoneShortcuts();

  const call = (target: string) => void run(() => api().call('phone.call', { target }));
  const primary = calls.filter((c) => !c.consultFor);
  const registered = phone.registration === 'registered';

  return (
    <Card
      withBorder
      radius={0}
      p="sm"
      data-testid="phone-panel"
      aria-label={t('phone.title')}
      component="section"
    >
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Group gap={6} wrap="nowrap">
          <Tooltip label={phone.lastError ?? t(`phone.registration.${phone.registration}`)}>
            <Badge
              circle
              size="xs"
              color={LIGHT[phone.registration]}
              data-testid="phone-registration"
              data-state={phone.registration}
              aria-label={t(`phone.registration.${phone.registration}`)}
            >
              {' '}
            </Badge>
          </Tooltip>
          <Text fw={700} size="sm">
            {t('phone.title')}
          </Text>
          <Text size="xs" c="dimmed">
            {t(`phone.registration.${phone.registration}`)}
          </Text>
        </Group>
        <Group gap={2}>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={t('phone.history.title')}
            data-testid="phone-history-open"
            onClick={() => {
              void usePhoneStore.getState().loadHistory();
              set({ historyOpen: true });
            }}
          >
            ⟲
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={t('phone.settings.title')}
            data-testid="phone-settings-open"
            onClick={() => set({ settingsOpen: true })}
          >
            ⚙
          </ActionIcon>
        </Group>
      </Group>
      <Stack gap="sm">
        {primary.map((c) => (
          <ActiveCall
            key={c.id}
            call={c}
            consult={calls.find((x) => x.consultFor === c.id) ?? null}
          />
        ))}
        {calls
          .filter((c) => c.consultFor)
          .map((c) => (
            <ActiveCall key={c.id} call={c} consult={null} />
          ))}
        {calls.length === 0 && phone.registration !== 'disabled' && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (dial.trim()) call(dial.trim());
            }}
          >
            <Group gap={6} wrap="nowrap" align="flex-end">
              <TextInput
                size="xs"
                style={{ flex: 1 }}
                data-testid="dial-input"
                aria-label={t('phone.dial')}
                placeholder={t('phone.dialPlaceholder')}
                value={dial}
                onChange={(e) => setDial(e.currentTarget.value)}
              />
              <Button
                size="xs"
                type="submit"
                data-testid="dial-call"
                disabled={!registered || !dial.trim()}
              >
                {t('phone.call')}
              </Button>
            </Group>
          </form>
        )}
        {phone.registration === 'disabled' && (
          <Text size="xs" c="dimmed">
            {t('phone.disabled')}
          </Text>
        )}
        {error && (
          <Text size="xs" c="red" role="alert" data-testid="phone-error">
            {error}
          </Text>
        )}
      </Stack>
      <PhoneSettings />
      <CallHistory onCall={call} />
    </Card>
  );
}
