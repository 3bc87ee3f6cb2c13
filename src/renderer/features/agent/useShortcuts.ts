import { useEffect } from 'react';
import { type SelectableAgentState } from '../../../shared/domain/agent.js';
import { useAgentStore } from '../../stores/agent-store.js';
import { useTicketStore } from '../../stores/ticket-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { useWorkStore } from '../../stores/work-store.js';
import { STATE_KEY, STATE_ORDER } from './agent-state-meta.js';

export const REPLY_INPUT_ID = 'reply-input';

const typingInField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

function moveInWorkList(step: 1 | -1): void {
  const tickets = useWorkStore.getState().work?.tickets ?? [];
  if (tickets.length === 0) return;
  const openId = useTicketStore.getState().openId;
  const index = tickets.findIndex((t) => t.id === openId);
  const next = tickets[(index + step + tickets.length) % tickets.length];
  if (next) void useTicketStore.getState().open(next.id);
}

/** Console-wide shortcuts (listed in ShortcutsHelp). Ctrl/⌘+Enter lives in the reply box. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (event.altKey && !event.ctrlKey && !event.metaKey) {
        const state = STATE_ORDER.find(
          (s: SelectableAgentState) => STATE_KEY[s].code === event.code,
        );
        if (state) {
          event.preventDefault();
          void useAgentStore.getState().setState(state);
          return;
        }
        if (event.code === 'ArrowDown' || event.code === 'ArrowUp') {
          event.preventDefault();
          moveInWorkList(event.code === 'ArrowDown' ? 1 : -1);
          return;
        }
        if (event.code === 'KeyR') {
          event.preventDefault();
          document.getElementById(REPLY_INPUT_ID)?.focus();
          return;
        }
      }
      if (event.key === '?' && !event.ctrlKey && !event.metaKey && !typingInField(event.target)) {
        event.preventDefault();
        useUiStore.getState().setShortcutsOpen(true);
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
