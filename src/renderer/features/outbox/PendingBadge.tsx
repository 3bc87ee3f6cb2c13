import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useOutboxStore } from '../../stores/outbox-store.js';

/** On a work item: how many replies to this ticket are still in the outbox. */
export function PendingBadge({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const rows = useOutboxStore((s) => s.rows);
  const waiting = rows.filter((r) => r.ticketId === ticketId && r.state !== 'delivered');
  if (waiting.length === 0) return null;
  const review = waiting.some((r) => r.state === 'needs_review' || r.state === 'failed');
  return (
    <Badge
      size="xs"
      variant="light"
      color={review ? 'red' : 'orange'}
      data-testid="pending-badge"
      data-count={waiting.length}
      title={t('outbox.pendingBadge', { count: waiting.length })}
      aria-label={t('outbox.pendingBadge', { count: waiting.length })}
      style={{ flexShrink: 0 }}
    >
      {review ? t('outbox.states.needs_review') : `${waiting.length} ${t('outbox.pendingShort')}`}
    </Badge>
  );
}
