import {
  ActionIcon,
  Badge,
  Button,
  Card,
  CloseButton,
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
  const deviceNotice = usePhoneStore((s) => s.deviceNotice);
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
        {deviceNotice.length > 0 && (
          <Group gap={4} wrap="nowrap" align="flex-start" data-testid="phone-device-notice">
            <Stack gap={0} style={{ flex: 1 }} role="status">
              {deviceNotice.map((kind) => (
                <Text key={kind} size="xs" c="orange" data-kind={kind}>
                  {t(`phone.deviceGone.${kind}`)}
                </Text>
              ))}
            </Stack>
            <CloseButton
              size="xs"
              aria-label={t('phone.deviceGone.dismiss')}
              data-testid="phone-device-notice-dismiss"
              onClick={() => set({ deviceNotice: [] })}
            />
          </Group>
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
