import { Badge, Button, Divider, Group, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useTicketStore } from '../../stores/ticket-store.js';
import { useWorkStore } from '../../stores/work-store.js';
import { usePhoneStore } from './phone-store.js';
import { knownCustomers } from './screen-pop-rule.js';

/**
 * Who is calling: the customer found by the caller's number (one → shown; several → a chooser;
 * none → "new customer"), their open tickets, and the slots for last orders and the onboarding
 * picture (filled by the shop and onboarding issues).
 */
export function ScreenPop({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const pop = usePhoneStore((s) => (s.pop?.callId === callId ? s.pop : null));
  const choose = usePhoneStore((s) => s.choose);
  const work = useWorkStore((s) => s.work);
  const mine = useMemo(() => new Set(work?.tickets.map((x) => x.id) ?? []), [work]);
  if (!pop) return null;
  if (pop.error)
    return (
      <Text size="xs" c="red">
        {t('phone.pop.failed', { reason: pop.error })}
      </Text>
    );
  if (!pop.result)
    return (
      <Text size="xs" c="dimmed">
        {t('phone.pop.looking')}
      </Text>
    );
  const matches = knownCustomers(pop.result.matches);
  const chosen = matches.find((m) => m.customer.id === pop.chosenId) ?? null;
  return (
    <Stack gap={6} data-testid="screen-pop">
      {matches.length === 0 && (
        <Badge color="gray" variant="light" data-testid="screen-pop-new">
          {t('phone.pop.newCustomer')}
        </Badge>
      )}
      {matches.length > 1 && !chosen && (
        <Stack gap={4} data-testid="screen-pop-choice">
          <Text size="xs" c="dimmed">
            {t('phone.pop.several', { count: matches.length })}
          </Text>
          {matches.map((m) => (
            <Button
              key={m.customer.id}
              size="compact-xs"
              variant="light"
              onClick={() => choose(m.customer.id)}
            >
              {m.customer.name ?? m.customer.email ?? m.customer.phone}
            </Button>
          ))}
        </Stack>
      )}
      {chosen && (
        <>
          <Text fw={600} size="sm" data-testid="screen-pop-customer">
            {chosen.customer.name ?? t('phone.pop.noName')}
          </Text>
          {chosen.customer.email && (
            <Text size="xs" c="dimmed">
              {chosen.customer.email}
            </Text>
          )}
          <Text size="xs" fw={600}>
            {t('phone.pop.openTickets')}
          </Text>
          {chosen.openTickets.length === 0 && (
            <Text size="xs" c="dimmed">
              {t('phone.pop.noOpenTickets')}
            </Text>
          )}
          {chosen.openTickets.slice(0, 3).map((ticket) => (
            <Group key={ticket.id} gap={4} wrap="nowrap" data-testid="screen-pop-ticket">
              <Text size="xs" truncate>
                #{ticket.number} {ticket.subject}
              </Text>
              {mine.has(ticket.id) && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => void useTicketStore.getState().open(ticket.id)}
                >
                  {t('phone.pop.open')}
                </Button>
              )}
            </Group>
          ))}
          <Divider />
          <Text size="xs" c="dimmed" data-testid="screen-pop-orders">
            {t('phone.pop.ordersSoon')}
          </Text>
          <Text size="xs" c="dimmed" data-testid="screen-pop-onboarding">
            {t('phone.pop.onboardingSoon')}
          </Text>
        </>
      )}
    </Stack>
  );
}
