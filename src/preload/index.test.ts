import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/bridge/channels.js';

// The preload runs in a sandboxed renderer; here 'electron' is replaced by a recorder.
const exposed = new Map<string, unknown>();
const listeners = new Map<string, ((...args: unknown[]) => void)[]>();
const invoke = vi.fn(async (..._args: unknown[]) => ({ ok: true, value: { ok: true } }));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    },
  },
}));

interface Exposed {
  invoke(name: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (...args: unknown[]) => void): () => void;
}

beforeEach(async () => {
  exposed.clear();
  listeners.clear();
  invoke.mockClear();
  vi.resetModules();
  await import('./index.js');
});

describe('preload', () => {
  it('exposes exactly window.concierge with invoke and onEvent', () => {
    expect([...exposed.keys()]).toEqual(['concierge']);
    expect(Object.keys(exposed.get('concierge') as object).sort()).toEqual(['invoke', 'onEvent']);
  });

  it('sends every call on the call channel only', async () => {
    const api = exposed.get('concierge') as Exposed;
    await api.invoke('ping', {});
    expect(invoke).toHaveBeenCalledWith(IPC_CALL_CHANNEL, 'ping', {});
  });

  it('passes event name and payload to listeners but never the IPC event, and unsubscribes', () => {
    const api = exposed.get('concierge') as Exposed;
    const seen: unknown[][] = [];
    const off = api.onEvent((...args) => seen.push(args));
    const fakeIpcEvent = { sender: { send: () => undefined }, ports: [] };
    for (const l of listeners.get(IPC_EVENT_CHANNEL) ?? []) l(fakeIpcEvent, 'notify', { a: 1 });
    expect(seen).toEqual([['notify', { a: 1 }]]);
    off();
    expect(listeners.get(IPC_EVENT_CHANNEL)).toEqual([]);
  });

  it('refuses a non-function listener', () => {
    const api = exposed.get('concierge') as Exposed;
    expect(() => api.onEvent('x' as unknown as () => void)).toThrow(TypeError);
  });
});
