import { NativeSelect, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type TicketSummary } from '../../../shared/domain/ticket.js';
import { topicOnClose, useRoutingStore } from '../../stores/routing-store.js';
import { describeError } from '../../ui/describe-error.js';

/**
 * The topic asked before Close, for queues that need one and have no wrap-up to ask it in (with
 * wrap-up, the wrap-up bar asks). Nothing for other queues.
 */
export function CloseTopic({ ticket }: { ticket: TicketSummary }) {
  const { t } = useTranslation();
  const queue = useRoutingStore((s) => topicOnClose(s.queues, ticket));
  const topic = useRoutingStore((s) => s.closeTopics[ticket.id] ?? '');
  const problem = useRoutingStore((s) =>
    s.closeTopicProblem?.ticketId === ticket.id ? s.closeTopicProblem : null,
  );
  const setTopic = useRoutingStore((s) => s.setCloseTopic);
  if (!queue || ticket.status !== 'open') return null;
  const error = problem
    ? problem.error
      ? t('routing.wrapUp.failed', { reason: describeError(t, problem.error) })
      : t('routing.wrapUp.topicNeeded')
    : undefined;
  const common = {
    'data-testid': 'close-topic',
    size: 'xs' as const,
    'aria-label': t('routing.wrapUp.topicRequired'),
    error,
    value: topic,
    style: { maxWidth: 200 },
  };
  return (queue.topics ?? []).length > 0 ? (
    <NativeSelect
      {...common}
      onChange={(e) => setTopic(ticket.id, e.currentTarget.value)}
      data={[
        { value: '', label: t('routing.wrapUp.chooseTopic') },
        ...(queue.topics ?? []).map((value) => ({ value, label: value })),
      ]}
    />
  ) : (
    <TextInput
      {...common}
      placeholder={t('routing.wrapUp.topicRequired')}
      maxLength={100}
      onChange={(e) => setTopic(ticket.id, e.currentTarget.value)}
    />
  );
}
