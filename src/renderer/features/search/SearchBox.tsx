import { CloseButton, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import {
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  type SearchHit,
} from '../../../shared/bridge/contract.js';
import { useSearchStore } from '../../stores/search-store.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { describeError } from '../../ui/describe-error.js';

/** Matched words (between the private-use marks) in bold; everything else as plain text. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(SNIPPET_MARK_START);
  return (
    <>
      {parts.map((part, i) => {
        if (i === 0) return <Fragment key={i}>{part}</Fragment>;
        const [hit = '', rest = ''] = part.split(SNIPPET_MARK_END);
        return (
          <Fragment key={i}>
            <mark>{hit}</mark>
            {rest}
          </Fragment>
        );
      })}
    </>
  );
}

export function SearchBox() {
  const { t } = useTranslation();
  const query = useSearchStore((s) => s.query);
  const setQuery = useSearchStore((s) => s.setQuery);
  const clear = useSearchStore((s) => s.clear);
  return (
    <TextInput
      size="xs"
      px="sm"
      pb="xs"
      data-testid="search-input"
      aria-label={t('search.label')}
      placeholder={t('search.placeholder')}
      value={query}
      onChange={(e) => setQuery(e.currentTarget.value)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') clear();
      }}
      rightSection={
        query ? <CloseButton size="sm" aria-label={t('search.clear')} onClick={clear} /> : null
      }
    />
  );
}

/** Results shown in place of the work list while a query is typed. */
export function SearchResults() {
  const { t } = useTranslation();
  const { query, hits, searching, error } = useSearchStore();
  const open = useTicketStore((s) => s.open);
  if (!query.trim()) return null;
  const choose = (hit: SearchHit) => void open(hit.ticketId);
  return (
    <Stack gap={4} p={6} data-testid="search-results" aria-busy={searching}>
      {error && (
        <Text size="xs" c="red">
          {t('search.failed', { reason: describeError(t, error) })}
        </Text>
      )}
      {!searching && !error && hits.length === 0 && (
        <Text size="sm" c="dimmed" p="sm">
          {t('search.noResults')}
        </Text>
      )}
      {hits.length > 0 && (
        <Text size="xs" c="dimmed" px={6} role="status">
          {t('search.results', { count: hits.length })}
        </Text>
      )}
      {hits.map((hit) => (
        <UnstyledButton
          key={hit.messageId ?? hit.ticketId}
          className="work-item"
          data-testid="search-result"
          data-ticket-id={hit.ticketId}
          onClick={() => choose(hit)}
        >
          <Text size="xs" c="dimmed" fw={600} truncate>
            {t('ticket.number', { number: hit.ticketNumber })} · {hit.subject}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {hit.customerName ?? t('ticket.unknownCustomer')}
          </Text>
          <Text size="sm" lineClamp={2}>
            <Snippet text={hit.snippet} />
          </Text>
        </UnstyledButton>
      ))}
    </Stack>
  );
}
