import { type RawBridge } from '../shared/bridge/client.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge; absent in browser mode. */
    concierge?: RawBridge;
  }
}

export {};
