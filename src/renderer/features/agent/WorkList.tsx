import { Alert, Badge, Box, Group, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatFull, formatWhen } from '../../i18n/format.js';
import { useAgentStore } from '../../stores/agent-store.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { useWorkStore } from '../../stores/work-store.js';
import { describeError } from '../../ui/describe-error.js';
import { InboxIcon } from '../../ui/icons.js';
import { ServeNextButton, ServeNextResult } from '../routing/ServeNextButton.js';
import { useSearchStore } from '../../stores/search-store.js';
import { PendingBadge } from '../outbox/PendingBadge.js';
import { SearchBox, SearchResults } from '../search/SearchBox.js';

/** The tickets assigned to the agent; the open one is highlighted, new arrivals marked. */
export function WorkList() {
  const { t } = useTranslation();
  const language = useUiStore((s) => s.language);
  const work = useWorkStore((s) => s.work);
  const error = useWorkStore((s) => s.error);
  const fresh = useWorkStore((s) => s.fresh);
  const openId = useTicketStore((s) => s.openId);
  const open = useTicketStore((s) => s.open);
  const available = useAgentStore((s) => s.status?.state === 'available');
  const tickets = work?.tickets ?? [];
  const searching = useSearchStore((s) => s.query.trim() !== '');

  return (
    <Stack gap={0} h="100%" component="section" aria-labelledby="work-title">
      <Group justify="space-between" px="md" py="sm" className="pane-header" wrap="nowrap">
        <Group gap={6} wrap="nowrap">
          <Text id="work-title" fw={700} size="sm">
            {t('work.title')}
          </Text>
          {work && (
            <Badge
              variant="light"
              color="gray"
              size="sm"
              tt="none"
              style={{ flexShrink: 0 }}
              aria-label={t('work.count', { count: tickets.length })}
              title={t('work.count', { count: tickets.length })}
            >
              {tickets.length}
            </Badge>
          )}
        </Group>
        <ServeNextButton />
      </Group>
      <ServeNextResult />
      <SearchBox />
      {error && (
        <Alert color="red" variant="light" m="sm" p="xs">
          <Text size="xs">{t('work.loadFailed', { reason: describeError(t, error) })}</Text>
        </Alert>
      )}
      <ScrollArea style={{ flex: 1 }} type="auto">
        {searching ? (
          <SearchResults />
        ) : work && tickets.length === 0 ? (
          <Stack data-testid="empty-work" align="center" gap="xs" p="xl" c="dimmed" ta="center">
            <InboxIcon size={32} />
            <Text size="sm">
              {available ? t('work.emptyAvailable') : t('work.emptyNotAvailable')}
            </Text>
          </Stack>
        ) : (
          <Box component="ul" data-testid="work-list" className="work-list" p={6} m={0}>
            {tickets.map((ticket) => {
              const active = ticket.id === openId;
              return (
                <li key={ticket.id}>
                  <UnstyledButton
                    data-testid="work-item"
                    data-ticket-id={ticket.id}
                    className="work-item"
                    data-active={active || undefined}
                    aria-current={active ? 'true' : undefined}
                    onClick={() => void open(ticket.id)}
                  >
                    <Group justify="space-between" wrap="nowrap" gap={6}>
                      <Text size="xs" c="dimmed" fw={600}>
                        {t('ticket.number', { number: ticket.number })} ·{' '}
                        {t(`ticket.channels.${ticket.channel}`)}
                      </Text>
                      <Text
                        size="xs"
                        c="dimmed"
                        component="time"
                        dateTime={ticket.updatedAt}
                        title={formatFull(ticket.updatedAt, language)}
                      >
                        {formatWhen(ticket.updatedAt, language)}
                      </Text>
                    </Group>
                    <Group gap={6} wrap="nowrap" mt={2}>
                      {fresh.has(ticket.id) && (
                        <Box component="span" className="fresh-dot" aria-hidden="true" />
                      )}
                      <Text size="sm" fw={fresh.has(ticket.id) ? 700 : 600} truncate>
                        {ticket.subject}
                      </Text>
                      <PendingBadge ticketId={ticket.id} />
                    </Group>
                    <Text size="xs" c="dimmed" truncate>
                      {ticket.customerName ?? t('ticket.unknownCustomer')}
                    </Text>
                  </UnstyledButton>
                </li>
              );
            })}
          </Box>
        )}
      </ScrollArea>
    </Stack>
  );
}
