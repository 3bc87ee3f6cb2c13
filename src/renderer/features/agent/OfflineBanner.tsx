import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useConnectionStore } from '../../stores/connection-store.js';
import { undeliveredCount, useOutboxStore } from '../../stores/outbox-store.js';

/** main has lost the hub: say so plainly, and that work goes on from the cache and the outbox. */
export function OfflineBanner() {
  const { t } = useTranslation();
  const connection = useConnectionStore((s) => s.connection);
  const waiting = useOutboxStore((s) => undeliveredCount(s.rows));
  const offline =
    connection?.status === 'offline' ||
    (connection?.status === 'connecting' && connection.lastError !== null);
  if (!offline) return null;
  return (
    <Alert
      color="orange"
      variant="filled"
      radius={0}
      py={6}
      role="status"
      data-testid="offline-banner"
    >
      <Text size="sm" fw={600}>
        {t('offline.banner')} {waiting > 0 && t('offline.waiting', { count: waiting })}
      </Text>
    </Alert>
  );
}
