import { Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type PhoneCall } from '../../../shared/bridge/phone.js';
import { api } from '../../bridge/index.js';
import { CallTimer } from './CallTimer.js';
import { Keypad } from './Keypad.js';
import { usePhoneStore } from './phone-store.js';
import { ScreenPop } from './ScreenPop.js';

export const TRANSFER_INPUT_ID = 'phone-transfer-target';

/** One call: who, how long, and what the agent can do with it. */
export function ActiveCall({ call, consult }: { call: PhoneCall; consult: PhoneCall | null }) {
  const { t } = useTranslation();
  const run = usePhoneStore((s) => s.run);
  const muted = usePhoneStore((s) => s.muted);
  const target = usePhoneStore((s) => s.transferTarget);
  const set = usePhoneStore((s) => s.set);
  const [keypad, setKeypad] = useState(false);
  const id = call.id;
  const ringing = call.direction === 'in' && call.state === 'incoming';
  const connected = call.state === 'established';

  return (
    <Stack
      gap={6}
      data-testid={ringing ? 'incoming-call' : 'active-call'}
      data-call-id={id}
      data-state={call.state}
    >
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {ringing
              ? t('phone.incoming')
              : call.direction === 'in'
                ? t('phone.inbound')
                : t('phone.outbound')}
            {call.consultFor ? ` · ${t('phone.consult')}` : ''}
          </Text>
          <Text fw={700} data-testid={ringing ? 'incoming-number' : 'call-remote'}>
            {call.remoteName && call.remoteName !== call.remote ? `${call.remoteName} · ` : ''}
            {call.remote}
          </Text>
        </Stack>
        <Stack gap={2} align="flex-end">
          {call.queue && (
            <Badge variant="light" data-testid="call-queue">
              {call.queue}
            </Badge>
          )}
          {connected && <CallTimer since={call.answeredAt ?? call.startedAt} />}
          {call.held && (
            <Badge color="orange" data-testid="call-held">
              {t('phone.held')}
            </Badge>
          )}
        </Stack>
      </Group>
      {call.direction === 'in' && !call.consultFor && <ScreenPop callId={id} />}
      {ringing && (
        <Group grow gap={6}>
          <Button
            color="green"
            data-testid="call-answer"
            onClick={() => void run(() => api().call('phone.answer', { sessionId: id }))}
          >
            {t('phone.answer')}
          </Button>
          <Button
            color="red"
            variant="light"
            data-testid="call-decline"
            onClick={() => void run(() => api().call('phone.decline', { sessionId: id }))}
          >
            {t('phone.decline')}
          </Button>
        </Group>
      )}
      {!ringing && (
        <Group gap={6}>
          <Button
            size="xs"
            color="red"
            data-testid="call-hangup"
            onClick={() => void run(() => api().call('phone.hangup', { sessionId: id }))}
          >
            {t('phone.hangup')}
          </Button>
          {connected && (
            <>
              <Button
                size="xs"
                variant={muted ? 'filled' : 'default'}
                data-testid="call-mute"
                aria-pressed={muted}
                onClick={() => set({ muted: !muted })}
              >
                {muted ? t('phone.unmute') : t('phone.mute')}
              </Button>
              <Button
                size="xs"
                variant={call.held ? 'filled' : 'default'}
                color="orange"
                data-testid="call-hold"
                aria-pressed={call.held}
                onClick={() =>
                  void run(() => api().call('phone.hold', { sessionId: id, hold: !call.held }))
                }
              >
                {call.held ? t('phone.resume') : t('phone.hold')}
              </Button>
              <Button
                size="xs"
                variant="default"
                data-testid="call-keypad"
                aria-expanded={keypad}
                onClick={() => setKeypad(!keypad)}
              >
                {t('phone.keypad')}
              </Button>
            </>
          )}
        </Group>
      )}
      {connected && keypad && (
        <Keypad
          onDigit={(tones) => void run(() => api().call('phone.dtmf', { sessionId: id, tones }))}
        />
      )}
      {connected && !call.consultFor && (
        <Stack gap={4}>
          <TextInput
            id={TRANSFER_INPUT_ID}
            size="xs"
            data-testid="transfer-target"
            label={t('phone.transferTo')}
            placeholder={t('phone.transferPlaceholder')}
            value={target}
            onChange={(e) => set({ transferTarget: e.currentTarget.value })}
          />
          <Group gap={6}>
            <Button
              size="xs"
              variant="light"
              data-testid="transfer-blind"
              disabled={!target.trim() || consult !== null}
              onClick={() =>
                void run(async () => {
                  await api().call('phone.transfer', { sessionId: id, target: target.trim() });
                  set({ transferTarget: '' });
                })
              }
            >
              {t('phone.blindTransfer')}
            </Button>
            <Button
              size="xs"
              variant="light"
              data-testid="transfer-consult"
              disabled={!target.trim() || consult !== null}
              onClick={() =>
                void run(() =>
                  api().call('phone.consult', { sessionId: id, target: target.trim() }),
                )
              }
            >
              {t('phone.consultTransfer')}
            </Button>
          </Group>
          {consult && (
            <Group gap={6}>
              <Button
                size="xs"
                color="green"
                data-testid="transfer-complete"
                disabled={consult.state !== 'established'}
                onClick={() =>
                  void run(async () => {
                    await api().call('phone.completeTransfer', {
                      sessionId: id,
                      consultId: consult.id,
                    });
                    set({ transferTarget: '' });
                  })
                }
              >
                {t('phone.completeTransfer')}
              </Button>
              <Button
                size="xs"
                variant="default"
                data-testid="transfer-cancel"
                onClick={() =>
                  void run(async () => {
                    await api().call('phone.hangup', { sessionId: consult.id });
                    await api().call('phone.hold', { sessionId: id, hold: false });
                  })
                }
              >
                {t('phone.cancelTransfer')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}
