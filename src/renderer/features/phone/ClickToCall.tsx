import { ActionIcon, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../../bridge/index.js';
import { usePhoneStore } from './phone-store.js';

/** A phone number the agent can call with one click (customer panel, orders later). */
export function ClickToCall({ number }: { number: string }) {
  const { t } = useTranslation();
  const registered = usePhoneStore((s) => s.phone.registration === 'registered');
  const busy = usePhoneStore((s) => s.phone.calls.some((c) => c.state !== 'ended'));
  const run = usePhoneStore((s) => s.run);
  const target = number.replace(/[\s()-]/g, '');
  return (
    <Tooltip label={t('phone.callNumber', { number })}>
      <ActionIcon
        size="sm"
        variant="light"
        color="green"
        data-testid="click-to-call"
        aria-label={t('phone.callNumber', { number })}
        disabled={!registered || busy}
        onClick={() => void run(() => api().call('phone.call', { target }))}
      >
        ☎
      </ActionIcon>
    </Tooltip>
  );
}
