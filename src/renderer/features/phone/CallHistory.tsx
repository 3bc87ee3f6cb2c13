import { Badge, Group, Modal, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatWhen } from '../../i18n/format.js';
import { formatDuration } from './CallTimer.js';
import { usePhoneStore } from './phone-store.js';

/** The calls of this session, newest first; a number can be called back. */
export function CallHistory({ onCall }: { onCall: (number: string) => void }) {
  const { t, i18n } = useTranslation();
  const open = usePhoneStore((s) => s.historyOpen);
  const history = usePhoneStore((s) => s.history);
  const set = usePhoneStore((s) => s.set);
  return (
    <Modal
      opened={open}
      onClose={() => set({ historyOpen: false })}
      title={t('phone.history.title')}
    >
      <Stack gap={6} data-testid="call-history">
        {history.length === 0 && (
          <Text c="dimmed" size="sm">
            {t('phone.history.empty')}
          </Text>
        )}
        {history.map((h) => (
          <Group key={h.id} justify="space-between" wrap="nowrap" data-testid="call-history-item">
            <Stack gap={0}>
              <Text size="sm" fw={600}>
                {h.direction === 'in' ? '↙' : '↗'} {h.remote}
              </Text>
              <Text size="xs" c="dimmed">
                {formatWhen(h.startedAt, i18n.language)} ·{' '}
                {h.answeredAt
                  ? formatDuration(h.durationMs)
                  : t(`phone.history.${h.direction === 'in' ? 'missed' : 'unanswered'}`)}
              </Text>
            </Stack>
            <Group gap={4}>
              {h.queue && (
                <Badge size="xs" variant="light">
                  {h.queue}
                </Badge>
              )}
              <Badge
                size="xs"
                variant="outline"
                component="button"
                style={{ cursor: 'pointer' }}
                onClick={() => {
                  set({ historyOpen: false });
                  onCall(h.remote);
                }}
              >
                {t('phone.history.callBack')}
              </Badge>
            </Group>
          </Group>
        ))}
      </Stack>
    </Modal>
  );
}
