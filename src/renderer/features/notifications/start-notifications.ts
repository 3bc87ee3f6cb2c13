import i18next from 'i18next';
import { notifications } from '@mantine/notifications';
import { type Notification as BridgeNotification } from '../../../shared/bridge/contract.js';
import { type RendererBridge } from '../../bridge/index.js';
import { useAppStore } from '../../stores/app-store.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { useWorkStore } from '../../stores/work-store.js';
import { playAssignmentSound, playOfferSound, unlockAudio } from './assignment-sound.js';
import { showDesktopNotification } from './desktop-notification.js';

const pageIsVisible = (): boolean => document.visibilityState === 'visible' && document.hasFocus();

/** Counts assignments that arrived while the window was in the background, shown in the title. */
let unseen = 0;
const baseTitle = (): string => i18next.t('app.name');
const updateTitle = (): void => {
  document.title = unseen > 0 ? `(${unseen}) ${baseTitle()}` : baseTitle();
};

/** main's text is a fallback: when the ticket is known, say it in the agent's chosen language. */
function localized(n: BridgeNotification): { title: string; body: string } {
  const ticket = useWorkStore.getState().work?.tickets.find((t) => t.id === n.ticketId);
  if (!ticket) return { title: n.title, body: n.body };
  return {
    title: i18next.t('notify.assignedTitle', { number: ticket.number }),
    body: [ticket.subject, ticket.customerName].filter(Boolean).join(' — '),
  };
}

/**
 * An offer: the ring, a spoken announcement, and outside the page a notification — the offer card
 * itself is the in-page notice (no toast on top of it).
 */
function onOffer(bridge: RendererBridge, notice: BridgeNotification): void {
  playOfferSound();
  const offer = useWorkStore.getState().work?.offers.find((o) => o.id === notice.offerId);
  const title = offer
    ? i18next.t('routing.offer.title', { number: offer.ticket.number })
    : notice.title;
  const body = offer
    ? [offer.ticket.subject, offer.ticket.customerName].filter(Boolean).join(' — ')
    : notice.body;
  useUiStore.getState().announce(i18next.t('routing.offer.announcement', { title, body }));
  if (pageIsVisible()) return;
  unseen += 1;
  updateTitle();
  if (useAppStore.getState().info?.transport === 'web' && bridge.kind === 'web') {
    showDesktopNotification(title, body, notice.offerId ?? title, () => window.focus());
  }
}

function onNotify(bridge: RendererBridge, notice: BridgeNotification): void {
  if (notice.kind === 'offer') {
    onOffer(bridge, notice);
    return;
  }
  playAssignmentSound();
  const n = { ...notice, ...localized(notice) };
  useUiStore
    .getState()
    .announce(i18next.t('notify.assignedAnnouncement', { title: n.title, body: n.body }));

  const open = () => {
    if (n.ticketId) void useTicketStore.getState().open(n.ticketId);
  };
  if (!pageIsVisible()) {
    unseen += 1;
    updateTitle();
    // Electron's main process shows the native notification itself.
    if (useAppStore.getState().info?.transport === 'web' && bridge.kind === 'web') {
      showDesktopNotification(n.title, n.body, n.ticketId ?? n.title, open);
    }
    return;
  }
  // In view with another ticket open: a quiet toast (the new ticket is in the list).
  const openId = useTicketStore.getState().openId;
  if (n.ticketId && openId && openId !== n.ticketId) {
    notifications.show({
      title: n.title,
      message: `${n.body}. ${i18next.t('notify.assignedToast')}`,
      autoClose: 6_000,
      onClick: open,
    });
  }
}

export function startNotifications(bridge: RendererBridge): () => void {
  const off = bridge.api.on('notify', (n) => onNotify(bridge, n));
  const seen = () => {
    if (!pageIsVisible()) return;
    unseen = 0;
    updateTitle();
  };
  // Any interaction unlocks audio for later chimes (autoplay rules).
  const unlock = () => unlockAudio();
  window.addEventListener('focus', seen);
  document.addEventListener('visibilitychange', seen);
  window.addEventListener('pointerdown', unlock, { capture: true });
  window.addEventListener('keydown', unlock, { capture: true });
  i18next.on('languageChanged', updateTitle);
  updateTitle();
  return () => {
    off();
    window.removeEventListener('focus', seen);
    document.removeEventListener('visibilitychange', seen);
    window.removeEventListener('pointerdown', unlock, { capture: true });
    window.removeEventListener('keydown', unlock, { capture: true });
    i18next.off('languageChanged', updateTitle);
  };
}
