import { type RendererBridge } from '../../bridge/index.js';
import { useAgentStore } from '../../stores/agent-store.js';
import { useRoutingStore } from '../../stores/routing-store.js';
import { useSessionStore } from '../../stores/session-store.js';

const signedIn = () => useSessionStore.getState().session?.status === 'signed_in';

/**
 * Keeps the routing store in step with main: queues, pause reasons and the wrap-up are loaded on
 * sign-in and after a transport reconnect; `wrapUp.changed` follows the hub's wrap-up; a status
 * that enters or leaves wrap-up without that event (missed while disconnected) re-reads it.
 */
export function startRouting(bridge: RendererBridge): () => void {
  const store = useRoutingStore;
  const load = () => void store.getState().load();
  const offs = [
    bridge.api.on('wrapUp.changed', (wrapUp) => store.setState({ wrapUp, wrapUpError: null })),
    useSessionStore.subscribe((state, previous) => {
      const now = state.session;
      const before = previous.session;
      if (now?.status === 'signed_in') {
        if (before?.status !== 'signed_in' || before.agent.id !== now.agent.id) {
          store.getState().reset();
          load();
        }
      } else if (before?.status === 'signed_in') {
        store.getState().reset();
      }
    }),
    bridge.onTransportStatus((status) => {
      if (status === 'open' && signedIn()) load();
    }),
    useAgentStore.subscribe((state) => {
      const until = state.status?.wrapUpUntil ?? null;
      const { wrapUp } = store.getState();
      if (until && (!wrapUp || wrapUp.until !== until)) {
        void bridge.api
          .call('wrapUp.get', {})
          .then((w) => store.setState({ wrapUp: w }))
          .catch(() => undefined);
      } else if (!until && wrapUp && state.status) {
        store.setState({ wrapUp: null });
      }
    }),
  ];
  if (signedIn()) load();
  return () => offs.forEach((off) => off());
}
