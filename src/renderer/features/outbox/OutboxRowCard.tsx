import { Badge, Box, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type OutboxRow, type OutboxState } from '../../../shared/bridge/contract.js';
import { formatWhen } from '../../i18n/format.js';
import { useOutboxStore } from '../../stores/outbox-store.js';
import { useUiStore } from '../../stores/ui-store.js';

const COLOR: Record<OutboxState, string> = {
  pending: 'orange',
  sending: 'blue',
  delivered: 'teal',
  needs_review: 'red',
  failed: 'red',
};

/**
 * One outbox row: its state, and for a refused one the reason, what is new on the ticket, and the
 * agent's choices (send anyway, edit, discard). Nothing leaves the outbox without the agent.
 */
export function OutboxRowCard({ row, showTicket }: { row: OutboxRow; showTicket: boolean }) {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const resolve = useOutboxStore((s) => s.resolve);
  const busy = useOutboxStore((s) => s.busy.has(row.id));
  const review = row.state === 'needs_review' || row.state === 'failed';

  const discard = () => {
    if (window.confirm(t('outbox.discardConfirm'))) void resolve(row.id, 'discard');
  };

  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      data-testid="outbox-row"
      data-state={row.state}
      data-outbox-id={row.id}
      data-ticket-id={row.ticketId}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="xs" c="dimmed" fw={600} truncate>
            {showTicket &&
              (row.ticketNumber
                ? `${t('outbox.ticket', { number: row.ticketNumber })} · ${row.ticketSubject ?? ''}`
                : t('outbox.unknownTicket'))}
          </Text>
          <Badge size="sm" color={COLOR[row.state]} variant="light" style={{ flexShrink: 0 }}>
            {t(`outbox.states.${row.state}`)}
          </Badge>
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lineClamp={review ? undefined : 3}>
          {row.text}
        </Text>
        <Text size="xs" c="dimmed">
          {[
            formatWhen(row.createdAt, language),
            row.attempts > 0 ? t('outbox.attempts', { count: row.attempts }) : null,
            row.state === 'pending' && row.nextAttemptAt
              ? t('outbox.nextAttempt', { time: formatWhen(row.nextAttemptAt, language) })
              : null,
            row.deliveredAt
              ? t('outbox.deliveredAt', { time: formatWhen(row.deliveredAt, language) })
              : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Text>
        {review && (
          <Box data-testid="needs-review" data-reason={row.conflict?.reason ?? 'failed'}>
            <Text size="sm" fw={700} c="red.8">
              {row.conflict
                ? t(`outbox.reasons.${row.conflict.reason}`)
                : t('outbox.failed', { error: row.lastError ?? '' })}
            </Text>
            {row.conflict && row.conflict.newMessages.length > 0 && (
              <Stack gap={4} mt={4}>
                <Text size="xs" c="dimmed">
                  {t('outbox.newMessages')}
                </Text>
                {row.conflict.newMessages.map((m) => (
                  <Text
                    key={m.id}
                    size="sm"
                    className={`message-bubble message-${m.direction}`}
                    data-testid="review-message"
                    data-direction={m.direction}
                  >
                    {m.text}
                  </Text>
                ))}
              </Stack>
            )}
            <Group gap="xs" mt="xs">
              <Button
                size="xs"
                data-testid="send-anyway"
                loading={busy}
                onClick={() => void resolve(row.id, 'sendAnyway')}
              >
                {t('outbox.sendAnyway')}
              </Button>
              <Button
                size="xs"
                variant="default"
                data-testid="edit-reply"
                disabled={busy}
                onClick={() => void resolve(row.id, 'edit')}
              >
                {t('outbox.edit')}
              </Button>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                data-testid="discard"
                disabled={busy}
                onClick={discard}
              >
                {t('outbox.discard')}
              </Button>
            </Group>
          </Box>
        )}
      </Stack>
    </Paper>
  );
}
