import { ActionIcon, Avatar, Group, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { BridgeError } from '../../../shared/bridge/errors.js';
import { describeError } from '../../ui/describe-error.js';
import { selectAgent, useSessionStore } from '../../stores/session-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { KeyboardIcon, LogoutIcon } from '../../ui/icons.js';
import { AgentStateControl } from './AgentStateControl.js';
import { OutboxButton } from '../outbox/OutboxButton.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { LanguageSwitch } from './LanguageSwitch.js';

const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');

export function TopBar() {
  const { t } = useTranslation();
  const agent = useSessionStore(selectAgent);
  const logout = useSessionStore((s) => s.logout);
  const signingOut = useSessionStore((s) => s.signingOut);
  const openShortcuts = useUiStore((s) => s.setShortcutsOpen);

  const onLogout = async () => {
    try {
      await logout();
    } catch (error) {
      notifications.show({
        color: 'red',
        message:
          error instanceof BridgeError ? describeError(t, error) : t('errors.other', { code: '?' }),
      });
    }
  };

  return (
    <Group data-testid="topbar" h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="md" wrap="nowrap">
        <Text fw={800} c="indigo.7" size="lg" className="brand">
          {t('app.name')}
        </Text>
        <AgentStateControl />
        <ConnectionBadge />
        <OutboxButton />
      </Group>
      <Group gap="sm" wrap="nowrap">
        <LanguageSwitch />
        <Tooltip label={`${t('topbar.shortcuts')} (?)`}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            aria-label={t('topbar.shortcuts')}
            onClick={() => openShortcuts(true)}
          >
            <KeyboardIcon />
          </ActionIcon>
        </Tooltip>
        {agent && (
          <Group gap={8} wrap="nowrap" aria-label={t('topbar.signedInAs', { name: agent.name })}>
            <Avatar size={30} radius="xl" color="indigo" variant="light">
              {initials(agent.name)}
            </Avatar>
            <Text size="sm" fw={600} data-testid="agent-name" truncate maw={180}>
              {agent.name}
            </Text>
          </Group>
        )}
        <Tooltip label={t('topbar.logout')}>
          <ActionIcon
            data-testid="logout"
            variant="subtle"
            color="gray"
            size="lg"
            aria-label={t('topbar.logout')}
            loading={signingOut}
            onClick={() => void onLogout()}
          >
            <LogoutIcon />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
