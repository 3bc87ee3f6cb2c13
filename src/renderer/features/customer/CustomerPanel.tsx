import { ClickToCall } from '../phone/ClickToCall.js';
import { Anchor, Avatar, Center, Group, Stack, Tabs, Text } from '@mantine/core';
import { type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type Customer } from '../../../shared/domain/ticket.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { UserIcon } from '../../ui/icons.js';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0} component="div">
      <Text size="xs" c="dimmed" fw={600} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

function CustomerTab({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const missing = (
    <Text span c="dimmed" size="sm" fs="italic">
      {t('customer.notGiven')}
    </Text>
  );
  return (
    <Stack gap="md" p="md">
      <Group gap="sm" wrap="nowrap">
        <Avatar radius="xl" color="indigo" variant="light">
          <UserIcon />
        </Avatar>
        <Text fw={700} truncate>
          {customer.name ?? t('ticket.unknownCustomer')}
        </Text>
      </Group>
      <Stack component="dl" gap="sm" m={0}>
        <Field label={t('customer.name')}>{customer.name ?? missing}</Field>
        <Field label={t('customer.email')}>
          {customer.email ? (
            <Anchor href={`mailto:${customer.email}`}>{customer.email}</Anchor>
          ) : (
            missing
          )}
        </Field>
        <Field label={t('customer.phone')}>
          {customer.phone ? (
            <Group gap={6} wrap="nowrap">
              <Anchor href={`tel:${customer.phone}`}>{customer.phone}</Anchor>
              <ClickToCall number={customer.phone} />
            </Group>
          ) : (
            missing
          )}
        </Field>
      </Stack>
    </Stack>
  );
}

/**
 * Context about the open ticket's customer. Tabs so later issues add "Orders" and "Onboarding"
 * next to "Customer" without reshaping the panel.
 */
export function CustomerPanel() {
  const { t } = useTranslation();
  const customer = useTicketStore((s) => s.detail?.customer ?? null);

  return (
    <Stack gap={0} h="100%">
      <Tabs defaultValue="customer" keepMounted={false} className="customer-tabs">
        <Tabs.List grow>
          <Tabs.Tab value="customer">{t('customer.tabs.customer')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="customer">
          {customer ? (
            <CustomerTab customer={customer} />
          ) : (
            <Center p="xl">
              <Text size="sm" c="dimmed" ta="center">
                {t('customer.none')}
              </Text>
            </Center>
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
