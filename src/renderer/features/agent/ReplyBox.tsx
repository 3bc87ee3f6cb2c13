import { Alert, Button, Group, Kbd, Stack, Text, Textarea } from '@mantine/core';
import { type KeyboardEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { flushDrafts } from '../../stores/draft-saver.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { describeError } from '../../ui/describe-error.js';
import { SendIcon } from '../../ui/icons.js';
import { isMac, modKey } from '../../ui/platform.js';
import { REPLY_INPUT_ID } from './useShortcuts.js';

/** Reply composer: Ctrl/⌘+Enter sends; on failure the text stays and the reason is shown. */
export function ReplyBox({ ticketId, disabled }: { ticketId: string; disabled: boolean }) {
  const { t } = useTranslation();
  const text = useTicketStore((s) => s.drafts[ticketId] ?? '');
  const setDraft = useTicketStore((s) => s.setDraft);
  const sending = useTicketStore((s) => s.sending);
  const sendError = useTicketStore((s) => s.sendError);
  const sendReply = useTicketStore((s) => s.sendReply);

  const canSend = !disabled && !sending && text.trim().length > 0;
  const send = () => {
    if (canSend) void sendReply();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const mod = isMac() ? event.metaKey : event.ctrlKey;
    if (event.key === 'Enter' && mod) {
      event.preventDefault();
      send();
    }
  };

  return (
    <Stack gap="xs" p="md" className="reply-box">
      {sendError && (
        <Alert color="red" variant="light" p="xs" role="alert" data-testid="reply-error">
          <Text size="sm">{t('reply.failed', { reason: describeError(t, sendError) })}</Text>
        </Alert>
      )}
      <Textarea
        id={REPLY_INPUT_ID}
        data-testid="reply-input"
        aria-label={t('reply.label')}
        placeholder={disabled ? t('reply.closedTicket') : t('reply.placeholder')}
        autosize
        minRows={3}
        maxRows={10}
        value={text}
        disabled={disabled}
        readOnly={sending}
        onChange={(e) => setDraft(ticketId, e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => void flushDrafts()}
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          <Trans
            i18nKey="reply.sendHint"
            values={{ mod: modKey() }}
            components={{ kbd: <Kbd size="xs" /> }}
          />
        </Text>
        <Button
          data-testid="reply-send"
          onClick={send}
          disabled={!canSend}
          loading={sending}
          rightSection={<SendIcon size={16} />}
        >
          {t('reply.send')}
        </Button>
      </Group>
    </Stack>
  );
}
