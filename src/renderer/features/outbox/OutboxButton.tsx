import { ActionIcon, Indicator, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { needsAttention, undeliveredCount, useOutboxStore } from '../../stores/outbox-store.js';
import { SendIcon } from '../../ui/icons.js';

/** Top bar: opens the outbox; the dot counts replies not delivered yet (red when one needs you). */
export function OutboxButton() {
  const { t } = useTranslation();
  const waiting = useOutboxStore((s) => undeliveredCount(s.rows));
  const attention = useOutboxStore((s) => needsAttention(s.rows));
  const setOpen = useOutboxStore((s) => s.setViewOpen);
  return (
    <Tooltip label={t('outbox.title')}>
      <Indicator
        label={waiting}
        size={16}
        disabled={waiting === 0}
        color={attention > 0 ? 'red' : 'orange'}
        data-testid="outbox-count"
        data-count={waiting}
      >
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          aria-label={t('outbox.open')}
          data-testid="outbox-open"
          onClick={() => setOpen(true)}
        >
          <SendIcon />
        </ActionIcon>
      </Indicator>
    </Tooltip>
  );
}
