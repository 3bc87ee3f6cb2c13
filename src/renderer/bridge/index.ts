import {
  createBridgeClient,
  type ConciergeApi,
  type RawBridge,
} from '../../shared/bridge/client.js';
import { bridgeUrlFor } from './bridge-url.js';
import { createWsRawBridge, type TransportStatus } from './ws-raw-bridge.js';

export type { TransportStatus } from './ws-raw-bridge.js';

/** The renderer's view of main: the typed API plus whether the transport itself is up. */
export interface RendererBridge {
  api: ConciergeApi;
  kind: 'electron' | 'web';
  transportStatus(): TransportStatus;
  onTransportStatus(listener: (status: TransportStatus) => void): () => void;
}

/** Electron's preload provides `window.concierge`; without it we are in a browser and use the WebSocket. */
export function createRendererBridge(): RendererBridge {
  const logBadEvent = (name: string, error: unknown) =>
    console.error(`Ignored an invalid "${name}" event from main`, error);
  const preload: RawBridge | undefined = window.concierge;
  if (preload) {
    return {
      api: createBridgeClient(preload, logBadEvent),
      kind: 'electron',
      transportStatus: () => 'open',
      onTransportStatus: () => () => undefined,
    };
  }
  const raw = createWsRawBridge({
    url: bridgeUrlFor(window.location),
    onBadFrame: (data) => console.error('Ignored a malformed bridge frame', data),
  });
  return {
    api: createBridgeClient(raw, logBadEvent),
    kind: 'web',
    transportStatus: () => raw.status,
    onTransportStatus: (listener) => raw.onStatus(listener),
  };
}

let current: RendererBridge | null = null;

/** Installs the bridge once at start-up (main.tsx); everything else reaches it through `bridge()`. */
export function installBridge(value: RendererBridge): void {
  current = value;
}

export function bridge(): RendererBridge {
  if (!current) throw new Error('the bridge is not installed yet');
  return current;
}

export const api = (): ConciergeApi => bridge().api;
