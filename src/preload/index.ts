import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/bridge/channels.js';
import { type RawBridge } from '../shared/bridge/client.js';

/**
 * The page's only door to main: `window.concierge`, exactly the RawBridge interface. Calls go to
 * one channel only; event listeners never see the IpcRendererEvent (it would expose `sender`).
 */
const concierge: RawBridge = {
  invoke(name: string, payload: unknown): Promise<unknown> {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, name, payload);
  },
  onEvent(listener: (name: string, payload: unknown) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (typeof name === 'string') listener(name, payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('concierge', concierge);
