import { Alert, Drawer, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useOutboxStore } from '../../stores/outbox-store.js';
import { describeError } from '../../ui/describe-error.js';
import { OutboxRowCard } from './OutboxRowCard.js';

/** Every reply the agent sent that the hub has not confirmed, and those confirmed today. */
export function OutboxView() {
  const { t } = useTranslation();
  const open = useOutboxStore((s) => s.viewOpen);
  const setOpen = useOutboxStore((s) => s.setViewOpen);
  const rows = useOutboxStore((s) => s.rows);
  const error = useOutboxStore((s) => s.error);
  // Newest first; what needs the agent comes before the rest.
  const ordered = [...rows].reverse().sort((a, b) => rank(a.state) - rank(b.state));
  return (
    <Drawer
      opened={open}
      onClose={() => setOpen(false)}
      position="right"
      size="md"
      title={t('outbox.title')}
    >
      <Stack gap="sm" data-testid="outbox-view">
        {error && (
          <Alert color="red" variant="light" p="xs" role="alert">
            <Text size="sm">{t('outbox.resolveFailed', { reason: describeError(t, error) })}</Text>
          </Alert>
        )}
        {ordered.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('outbox.empty')}
          </Text>
        ) : (
          ordered.map((row) => <OutboxRowCard key={row.id} row={row} showTicket />)
        )}
      </Stack>
    </Drawer>
  );
}

const rank = (state: string): number =>
  state === 'needs_review' || state === 'failed' ? 0 : state === 'delivered' ? 2 : 1;
