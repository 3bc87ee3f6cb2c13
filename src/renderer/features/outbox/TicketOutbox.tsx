import { Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useOutboxStore } from '../../stores/outbox-store.js';
import { OutboxRowCard } from './OutboxRowCard.js';

/** Under the conversation: this ticket's replies still in the outbox (pending or to review). */
export function TicketOutbox({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const rows = useOutboxStore((s) => s.rows);
  const mine = rows.filter((r) => r.ticketId === ticketId && r.state !== 'delivered');
  if (mine.length === 0) return null;
  return (
    <Stack gap="xs" px="md" pt="xs" data-testid="ticket-outbox">
      <Text size="xs" c="dimmed" fw={600}>
        {t('outbox.queuedHere')}
      </Text>
      {mine.map((row) => (
        <OutboxRowCard key={row.id} row={row} showTicket={false} />
      ))}
    </Stack>
  );
}
