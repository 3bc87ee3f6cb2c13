import { useEffect } from 'react';
import { api } from '../../bridge/index.js';
import { DTMF_KEYS } from './Keypad.js';
import { TRANSFER_INPUT_ID } from './ActiveCall.js';
import { liveCalls, usePhoneStore } from './phone-store.js';

const typingInField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** The phone's key bindings (listed in the shortcut sheet via phone.shortcuts). */
export const PHONE_KEYS = {
  answer: { code: 'KeyA', label: 'Alt+A' },
  hangup: { code: 'KeyE', label: 'Alt+E' },
  mute: { code: 'KeyM', label: 'Alt+M' },
  hold: { code: 'KeyH', label: 'Alt+H' },
  transfer: { code: 'KeyT', label: 'Alt+T' },
} as const;

/**
 * Alt+A answer, Alt+E hang up (or decline), Alt+M mute, Alt+H hold/resume, Alt+T transfer field;
 * digits, * and # send DTMF on a connected call when no text field has the focus.
 */
export function usePhoneShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const store = usePhoneStore.getState();
      const calls = liveCalls(store);
      const ringing = calls.find((c) => c.direction === 'in' && c.state === 'incoming');
      // The consult leg is the active one while it exists.
      const active =
        calls.find((c) => c.state === 'established' && c.consultFor) ??
        calls.find((c) => c.state !== 'incoming');
      const run = (fn: () => Promise<unknown>) => {
        event.preventDefault();
        void store.run(fn);
      };
      if (event.altKey && !event.ctrlKey && !event.metaKey) {
        if (event.code === PHONE_KEYS.answer.code && ringing)
          return run(() => api().call('phone.answer', { sessionId: ringing.id }));
        if (event.code === PHONE_KEYS.hangup.code) {
          if (ringing && !active)
            return run(() => api().call('phone.decline', { sessionId: ringing.id }));
          if (active) return run(() => api().call('phone.hangup', { sessionId: active.id }));
        }
        if (event.code === PHONE_KEYS.mute.code && active?.state === 'established') {
          event.preventDefault();
          store.set({ muted: !store.muted });
          return;
        }
        if (event.code === PHONE_KEYS.hold.code && active?.state === 'established') {
          return run(() => api().call('phone.hold', { sessionId: active.id, hold: !active.held }));
        }
        if (event.code === PHONE_KEYS.transfer.code && active) {
          event.preventDefault();
          document.getElementById(TRANSFER_INPUT_ID)?.focus();
          return;
        }
      }
      if (!event.altKey && !event.ctrlKey && !event.metaKey && !typingInField(event.target)) {
        if (
          (DTMF_KEYS as readonly string[]).includes(event.key) &&
          active?.state === 'established'
        ) {
          return run(() => api().call('phone.dtmf', { sessionId: active.id, tones: event.key }));
        }
      }
    };
    // Capture phase: while a call rings, Alt+A answers the phone before the offer card's Alt+A
    // (accept offer) sees the key — answering is what accepts a voice offer on the hub.
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, []);
}
