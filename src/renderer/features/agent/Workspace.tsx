import { Alert, AppShell, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../stores/app-store.js';
import { CustomerPanel } from '../customer/CustomerPanel.js';
import { PhonePanel } from '../phone/PhonePanel.js';
import { OutboxView } from '../outbox/OutboxView.js';
import { OfferCard } from '../routing/OfferCard.js';
import { WrapUpBar } from '../routing/WrapUpBar.js';
import { OfflineBanner } from './OfflineBanner.js';
import { ShortcutsHelp } from './ShortcutsHelp.js';
import { TicketView } from './TicketView.js';
import { TopBar } from './TopBar.js';
import { useShortcuts } from './useShortcuts.js';
import { WorkList } from './WorkList.js';

/** The signed-in console: top bar; work list | ticket + reply | customer context. */
export function Workspace() {
  const { t } = useTranslation();
  const transport = useAppStore((s) => s.transport);
  useShortcuts();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: { base: 240, lg: 300 }, breakpoint: 0 }}
      aside={{ width: { base: 240, lg: 320 }, breakpoint: 0 }}
      padding={0}
    >
      <AppShell.Header aria-label={t('topbar.label')}>
        <TopBar />
      </AppShell.Header>
      <AppShell.Navbar aria-label={t('work.title')}>
        <WorkList />
      </AppShell.Navbar>
      <AppShell.Main className="workspace-main">
        {transport !== 'open' && (
          <Alert color="orange" variant="light" radius={0} py={6} role="status">
            <Text size="sm">{t('app.bridgeDown')}</Text>
          </Alert>
        )}
        <OfflineBanner />
        <OfferCard />
        <WrapUpBar />
        <TicketView />
      </AppShell.Main>
      <AppShell.Aside aria-label={t('customer.panel')}>
        <PhonePanel />
        <CustomerPanel />
      </AppShell.Aside>
      <ShortcutsHelp />
      <OutboxView />
    </AppShell>
  );
}
