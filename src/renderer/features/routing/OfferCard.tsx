import { Badge, Box, Button, Group, Kbd, Menu, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Offer } from '../../../shared/domain/work.js';
import { hubCode, useRoutingStore } from '../../stores/routing-store.js';
import { useWorkStore } from '../../stores/work-store.js';
import { describeError } from '../../ui/describe-error.js';
import { altKey } from '../../ui/platform.js';
import { formatCountdown, useCountdown } from './useCountdown.js';

export const REJECT_REASONS = ['busy', 'skills', 'language', 'other'] as const;

const typingInField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/**
 * The pending offer, across the top of the workspace so it cannot be missed: what it is, the
 * hub's countdown, Accept (Enter or Alt+A) and Reject with a reason (Alt+X). It is not a modal:
 * the agent can finish the sentence they are typing. When time is up the hub decides (the card
 * goes when its event arrives).
 */
export function OfferCard() {
  const offer = useWorkStore((s) => s.work?.offers[0] ?? null);
  return offer ? <PendingOffer key={offer.id} offer={offer} /> : null;
}

function PendingOffer({ offer }: { offer: Offer }) {
  const { t } = useTranslation();
  const queues = useRoutingStore((s) => s.queues);
  const answering = useRoutingStore((s) => s.answering);
  const error = useRoutingStore((s) => s.offerError);
  const accept = useRoutingStore((s) => s.accept);
  const reject = useRoutingStore((s) => s.reject);
  const [menuOpen, setMenuOpen] = useState(false);
  const seconds = useCountdown(offer.expiresAt);
  const total = Math.max(1, (Date.parse(offer.expiresAt) - Date.parse(offer.offeredAt)) / 1000);
  const queue = queues.find((q) => q.id === offer.queueId)?.name ?? null;
  const { ticket } = offer;
  const busy = answering !== null;

  // An error belongs to the offer it happened on.
  useEffect(() => useRoutingStore.setState({ offerError: null }), [offer.id]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const alt = event.altKey && !event.ctrlKey && !event.metaKey;
      if (alt && event.code === 'KeyA') {
        event.preventDefault();
        void useRoutingStore.getState().accept(offer.id);
      } else if (alt && event.code === 'KeyX') {
        event.preventDefault();
        setMenuOpen(true);
      } else if (
        event.key === 'Enter' &&
        !event.altKey &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.shiftKey &&
        !typingInField(event.target) &&
        !(event.target instanceof HTMLButtonElement) &&
        !(event.target instanceof HTMLAnchorElement)
      ) {
        event.preventDefault();
        void useRoutingStore.getState().accept(offer.id);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [offer.id]);

  const urgent = seconds <= 5;
  return (
    <Box
      component="section"
      data-testid="offer-card"
      data-offer-id={offer.id}
      className="offer-card"
      data-urgent={urgent || undefined}
      aria-labelledby="offer-title"
      aria-describedby="offer-subject"
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="xs" fw={700} c="blue.8" tt="uppercase">
            {t('routing.offer.label')}
          </Text>
          <Text id="offer-title" fw={700} size="lg">
            {t('routing.offer.title', { number: ticket.number })}
          </Text>
          <Text id="offer-subject" size="sm" fw={600} truncate>
            {ticket.subject}
          </Text>
          <Group gap={6} wrap="wrap">
            <Text size="sm" c="dimmed">
              {ticket.customerName ?? t('ticket.unknownCustomer')}
            </Text>
            <Badge variant="light" color="blue" tt="none">
              {t(`ticket.channels.${offer.channel ?? ticket.channel}`)}
            </Badge>
            {queue && (
              <Badge variant="outline" color="gray" tt="none">
                {t('routing.offer.queue', { name: queue })}
              </Badge>
            )}
          </Group>
        </Stack>
        <Stack gap={6} align="flex-end" style={{ flexShrink: 0 }}>
          <Text
            data-testid="offer-countdown"
            data-seconds={seconds}
            fw={800}
            size="xl"
            c={urgent ? 'red.7' : 'blue.8'}
            role="timer"
            aria-live="off"
            aria-label={
              seconds > 0
                ? t('routing.offer.expiresIn', { time: formatCountdown(seconds) })
                : t('routing.offer.expired')
            }
          >
            {formatCountdown(seconds)}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Button
              data-testid="offer-accept"
              color="blue"
              loading={answering === offer.id}
              disabled={busy}
              aria-keyshortcuts="Enter Alt+A"
              title={t('routing.offer.acceptHint', { alt: altKey() })}
              onClick={() => void accept(offer.id)}
            >
              {t('routing.offer.accept')}
            </Button>
            <Menu opened={menuOpen} onChange={setMenuOpen} position="bottom-end" withinPortal>
              <Menu.Target>
                <Button
                  data-testid="offer-reject"
                  variant="default"
                  disabled={busy}
                  aria-keyshortcuts="Alt+X"
                  title={t('routing.offer.rejectHint', { alt: altKey() })}
                >
                  {t('routing.offer.reject')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown aria-label={t('routing.offer.rejectAs')}>
                <Menu.Label>{t('routing.offer.rejectAs')}</Menu.Label>
                {REJECT_REASONS.map((reason) => (
                  <Menu.Item
                    key={reason}
                    data-testid="offer-reject-reason"
                    data-reason={reason}
                    onClick={() => void reject(offer.id, reason)}
                  >
                    {t(`routing.rejectReasons.${reason}`)}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          </Group>
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Enter</Kbd> / <Kbd size="xs">{altKey()}+A</Kbd> ·{' '}
            <Kbd size="xs">{altKey()}+X</Kbd>
          </Text>
        </Stack>
      </Group>
      <Progress
        mt="xs"
        size="sm"
        color={urgent ? 'red' : 'blue'}
        value={Math.min(100, (seconds / total) * 100)}
        aria-hidden="true"
        transitionDuration={250}
      />
      {error && (
        <Text size="sm" c="red.7" mt={6} role="alert">
          {hubCode(error) === 'offer_not_pending' || error.code === 'not_found'
            ? t('routing.offer.gone')
            : t('routing.offer.failed', { reason: describeError(t, error) })}
        </Text>
      )}
    </Box>
  );
}
