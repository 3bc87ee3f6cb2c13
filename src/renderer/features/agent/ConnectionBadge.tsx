import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatWhen } from '../../i18n/format.js';
import { useAppStore } from '../../stores/app-store.js';
import { useConnectionStore } from '../../stores/connection-store.js';
import { useUiStore } from '../../stores/ui-store.js';

const COLOR = { online: 'teal', connecting: 'yellow', offline: 'red', signed_out: 'gray' } as const;

/** main's link to the hub; when the console service itself is gone (browser mode) that wins. */
export function ConnectionBadge() {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const connection = useConnectionStore((s) => s.connection);
  const transport = useAppStore((s) => s.transport);

  const serviceDown = transport !== 'open';
  const status = serviceDown ? 'offline' : (connection?.status ?? 'connecting');
  const details = serviceDown
    ? [t('connection.serviceDown')]
    : [
        connection?.hubUrl ? t('connection.hub', { url: connection.hubUrl }) : null,
        connection?.since && status === 'online'
          ? t('connection.since', { time: formatWhen(connection.since, language) })
          : null,
        connection?.lastError ? t('connection.lastError', { error: connection.lastError }) : null,
      ].filter((line): line is string => line !== null);

  return (
    <Tooltip
      multiline
      w={280}
      withArrow
      events={{ hover: true, focus: true, touch: true }}
      label={
        <Stack gap={2}>
          {details.map((line) => (
            <Text key={line} size="xs">
              {line}
            </Text>
          ))}
        </Stack>
      }
      disabled={details.length === 0}
    >
      <Badge
        data-testid="connection-status"
        data-status={status}
        variant="dot"
        color={COLOR[status]}
        size="lg"
        tt="none"
        tabIndex={0}
        role="status"
        aria-label={[t(`connection.${status}`), ...details].join('. ')}
        className="focusable-badge"
      >
        {t(`connection.${status}`)}
      </Badge>
    </Tooltip>
  );
}
