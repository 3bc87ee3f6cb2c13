import { Box, Group, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type TicketDetail } from '../../../shared/domain/ticket.js';
import { formatFull, formatWhen } from '../../i18n/format.js';
import { selectAgent, useSessionStore } from '../../stores/session-store.js';
import { useUiStore } from '../../stores/ui-store.js';

/** The messages of a ticket, oldest first: the customer on the left, agents on the right. */
export function Conversation({ detail }: { detail: TicketDetail }) {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const me = useSessionStore(selectAgent);
  const endRef = useRef<HTMLDivElement>(null);
  const count = detail.messages.length;

  // Keep the newest message in view when one arrives or the ticket changes.
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [count, detail.ticket.id]);

  const author = (m: TicketDetail['messages'][number]): string => {
    if (m.direction === 'in') {
      return m.authorName ?? detail.customer.name ?? t('ticket.customer');
    }
    if (me && m.authorAgentId === me.id) return t('ticket.you');
    return m.authorName ?? t('ticket.agent');
  };

  return (
    <Stack
      data-testid="conversation"
      role="log"
      aria-label={t('ticket.conversation')}
      gap="md"
      p="lg"
      className="conversation"
    >
      {count === 0 && (
        <Text c="dimmed" size="sm" ta="center">
          {t('ticket.noMessages')}
        </Text>
      )}
      {detail.messages.map((m) => (
        <Box
          key={m.id}
          data-testid="message"
          data-direction={m.direction}
          className={`message message-${m.direction}`}
          component="article"
          aria-label={`${author(m)}, ${formatFull(m.createdAt, language)}`}
        >
          <Group gap={8} className="message-meta" wrap="nowrap">
            <Text size="xs" fw={700}>
              {author(m)}
            </Text>
            <Text
              size="xs"
              c="dimmed"
              component="time"
              dateTime={m.createdAt}
              title={formatFull(m.createdAt, language)}
            >
              {formatWhen(m.createdAt, language)}
            </Text>
          </Group>
          <Text size="sm" className="message-bubble">
            {m.text}
          </Text>
        </Box>
      ))}
      <div ref={endRef} />
    </Stack>
  );
}
