import { create } from 'zustand';
import { type CustomerSearchResponse } from '../../../shared/api/telephony.js';
import { BridgeError } from '../../../shared/bridge/errors.js';
import {
  type CallHistoryEntry,
  type PhoneCall,
  type PhoneState,
} from '../../../shared/bridge/phone.js';
import { api } from '../../bridge/index.js';
import { knownCustomers } from './screen-pop-rule.js';
import { DEFAULT_DEVICES, loadDevices, saveDevices, type DeviceSettings } from './media/devices.js';
import { type DeviceFallback } from './media/media-engine.js';

type FallbackKind = DeviceFallback['kind'];
const SETTING: Record<FallbackKind, 'micId' | 'speakerId' | 'ringId'> = {
  microphone: 'micId',
  speaker: 'speakerId',
  ring: 'ringId',
};

export interface ScreenPop {
  callId: string;
  phone: string;
  result: CustomerSearchResponse | null;
  error: string | null;
  /** The customer the agent picked when several match. */
  chosenId: string | null;
}

interface PhoneStore {
  phone: PhoneState;
  history: CallHistoryEntry[];
  muted: boolean;
  devices: DeviceSettings;
  pop: ScreenPop | null;
  error: string | null;
  settingsOpen: boolean;
  historyOpen: boolean;
  /** The transfer target field (blind or consult). */
  transferTarget: string;
  /** Chosen devices that were unplugged and replaced by the system default (the notice). */
  deviceNotice: FallbackKind[];
  setPhone(state: PhoneState): void;
  setDevices(devices: DeviceSettings): void;
  /** The MediaEngine fell back to the default: the setting becomes the default, with a notice. */
  deviceFallback(fallback: DeviceFallback): void;
  run(action: () => Promise<unknown>): Promise<void>;
  loadHistory(): Promise<void>;
  choose(customerId: string): void;
  set(partial: Partial<PhoneStore>): void;
}

const message = (error: unknown): string =>
  error instanceof BridgeError
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);

export const usePhoneStore = create<PhoneStore>()((set, get) => ({
  phone: { registration: 'disabled', aor: null, lastError: null, calls: [] },
  history: [],
  muted: false,
  devices: typeof localStorage === 'undefined' ? DEFAULT_DEVICES : loadDevices(),
  pop: null,
  error: null,
  settingsOpen: false,
  historyOpen: false,
  transferTarget: '',
  deviceNotice: [],
  setPhone(phone) {
    const before = get().phone.calls.map((c) => c.id);
    set({ phone });
    const incoming = phone.calls.find((c) => c.direction === 'in' && !before.includes(c.id));
    if (incoming) void lookup(incoming);
    if (phone.calls.length < before.length) void get().loadHistory();
    if (phone.calls.length === 0) set({ muted: false });
  },
  setDevices(devices) {
    saveDevices(devices);
    const before = get().devices;
    // A device picked again answers the notice about it.
    const deviceNotice = get().deviceNotice.filter(
      (k) => devices[SETTING[k]] === before[SETTING[k]],
    );
    set({ devices, deviceNotice });
  },
  deviceFallback({ kind, deviceId }) {
    const { devices, deviceNotice } = get();
    const key = SETTING[kind];
    if (devices[key] === deviceId) {
      const next = { ...devices, [key]: '' };
      saveDevices(next);
      set({ devices: next });
    }
    if (!deviceNotice.includes(kind)) set({ deviceNotice: [...deviceNotice, kind] });
  },
  async run(action) {
    try {
      set({ error: null });
      await action();
    } catch (error) {
      set({ error: message(error) });
    }
  },
  async loadHistory() {
    try {
      set({ history: await api().call('phone.history', {}) });
    } catch {
      // history is a convenience; the call itself is unaffected
    }
  },
  choose(customerId) {
    const pop = get().pop;
    if (pop) set({ pop: { ...pop, chosenId: customerId } });
  },
  set(partial) {
    set(partial);
  },
}));

/** Screen pop: the customers owning the caller's number (one → shown, several → chooser). */
async function lookup(call: PhoneCall): Promise<void> {
  const phone = call.remote;
  usePhoneStore.setState({
    pop: { callId: call.id, phone, result: null, error: null, chosenId: null },
  });
  try {
    const result = await api().call('phone.lookup', { phone });
    const pop = usePhoneStore.getState().pop;
    if (pop?.callId !== call.id) return;
    const known = knownCustomers(result.matches);
    usePhoneStore.setState({
      pop: { ...pop, result, chosenId: known.length === 1 ? known[0]!.customer.id : null },
    });
  } catch (error) {
    const pop = usePhoneStore.getState().pop;
    if (pop?.callId === call.id) usePhoneStore.setState({ pop: { ...pop, error: message(error) } });
  }
}

export const liveCalls = (s: PhoneStore): PhoneCall[] =>
  s.phone.calls.filter((c) => c.state !== 'ended');
