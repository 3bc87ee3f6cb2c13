import {
  Alert,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Loader,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { bridge } from '../../bridge/index.js';
import { refreshWork } from '../../stores/sync.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { describeError } from '../../ui/describe-error.js';
import { CheckIcon, InboxIcon } from '../../ui/icons.js';
import { Conversation } from './Conversation.js';
import { TicketOutbox } from '../outbox/TicketOutbox.js';
import { ReplyBox } from './ReplyBox.js';
import { CloseTopic } from '../routing/CloseTopic.js';
import { useRoutingStore } from '../../stores/routing-store.js';

/** The open ticket: header with its identity and Close, the conversation, the reply box. */
export function TicketView() {
  const { t } = useTranslation();
  const openId = useTicketStore((s) => s.openId);
  const detail = useTicketStore((s) => s.detail);
  const loading = useTicketStore((s) => s.loading);
  const loadError = useTicketStore((s) => s.loadError);
  const reload = useTicketStore((s) => s.reload);
  const closing = useTicketStore((s) => s.closing);
  const closeError = useTicketStore((s) => s.closeError);
  const close = useTicketStore((s) => s.close);

  if (!openId) {
    return (
      <Center h="100%" p="xl">
        <Stack align="center" gap="xs" c="dimmed" ta="center" maw={360}>
          <InboxIcon size={40} />
          <Title order={2} size="h4" c="dimmed">
            {t('ticket.noneOpen')}
          </Title>
          <Text size="sm">{t('ticket.noneOpenHint')}</Text>
        </Stack>
      </Center>
    );
  }

  if (!detail) {
    return (
      <Center h="100%" p="xl">
        {loadError ? (
          <Alert color="red" variant="light" maw={420}>
            <Stack gap="xs">
              <Text size="sm">
                {t('ticket.loadFailed', { reason: describeError(t, loadError) })}
              </Text>
              <Button size="xs" variant="light" color="red" onClick={() => void reload()}>
                {t('ticket.retry')}
              </Button>
            </Stack>
          </Alert>
        ) : (
          <Group gap="sm" c="dimmed" aria-busy={loading}>
            <Loader size="sm" />
            <Text size="sm">{t('ticket.loading')}</Text>
          </Group>
        )}
      </Center>
    );
  }

  const { ticket, customer } = detail;
  const closed = ticket.status === 'closed';
  const onClose = async () => {
    // A queue that needs a topic and has no wrap-up: the task is completed with it first.
    if (!(await useRoutingStore.getState().completeBeforeClose(ticket))) return;
    if (!(await close())) return;
    notifications.show({
      color: 'teal',
      message: t('ticket.closedToast', { number: ticket.number }),
      autoClose: 4_000,
    });
    void refreshWork(bridge());
  };

  return (
    <Stack
      data-testid="ticket-view"
      data-ticket-id={ticket.id}
      component="section"
      aria-labelledby="ticket-subject"
      gap={0}
      h="100%"
    >
      <Box px="lg" py="sm" className="pane-header">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Box style={{ minWidth: 0 }}>
            <Group gap="xs" mb={2}>
              <Text size="xs" c="dimmed" fw={700} data-testid="ticket-number">
                {t('ticket.number', { number: ticket.number })}
              </Text>
              <Badge size="xs" variant="light">
                {t(`ticket.channels.${ticket.channel}`)}
              </Badge>
              {closed && (
                <Badge size="xs" color="gray" leftSection={<CheckIcon size={10} />}>
                  {t('ticket.closed')}
                </Badge>
              )}
            </Group>
            <Title
              order={1}
              size="h4"
              id="ticket-subject"
              data-testid="ticket-subject"
              lineClamp={2}
            >
              {ticket.subject}
            </Title>
            <Text size="sm" c="dimmed" truncate>
              {[customer.name ?? t('ticket.unknownCustomer'), customer.email ?? customer.phone]
                .filter(Boolean)
                .join(' · ')}
            </Text>
          </Box>
          <Group gap="xs" wrap="nowrap" align="flex-start" style={{ flexShrink: 0 }}>
            <CloseTopic ticket={ticket} />
            <Button
              data-testid="ticket-close"
              variant="default"
              onClick={() => void onClose()}
              loading={closing}
              disabled={closed}
              leftSection={<CheckIcon size={16} />}
              style={{ flexShrink: 0 }}
            >
              {t('ticket.close')}
            </Button>
          </Group>
        </Group>
        {closeError && (
          <Alert color="red" variant="light" p="xs" mt="xs" role="alert">
            <Text size="sm">
              {t('ticket.closeFailed', { reason: describeError(t, closeError) })}
            </Text>
          </Alert>
        )}
      </Box>
      <ScrollArea style={{ flex: 1 }} type="auto" className="conversation-scroll">
        <Conversation detail={detail} />
      </ScrollArea>
      <TicketOutbox ticketId={ticket.id} />
      <ReplyBox ticketId={ticket.id} disabled={closed} />
    </Stack>
  );
}
