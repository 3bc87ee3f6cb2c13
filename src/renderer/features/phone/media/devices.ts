/** The agent's audio device choice (this browser profile), and ring volume. */
export interface DeviceSettings {
  micId: string;
  speakerId: string;
  /** A separate device for the ringtone (e.g. loudspeaker while the headset carries the call). */
  ringId: string;
  /** 0..1 */
  ringVolume: number;
}

const KEY = 'concierge.phone.devices';
export const DEFAULT_DEVICES: DeviceSettings = {
  micId: '',
  speakerId: '',
  ringId: '',
  ringVolume: 0.8,
};

export function loadDevices(): DeviceSettings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULT_DEVICES;
    const v = JSON.parse(raw) as Partial<DeviceSettings>;
    return {
      micId: typeof v.micId === 'string' ? v.micId : '',
      speakerId: typeof v.speakerId === 'string' ? v.speakerId : '',
      ringId: typeof v.ringId === 'string' ? v.ringId : '',
      ringVolume: typeof v.ringVolume === 'number' ? Math.min(1, Math.max(0, v.ringVolume)) : 0.8,
    };
  } catch {
    return DEFAULT_DEVICES;
  }
}

export function saveDevices(settings: DeviceSettings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // private mode: the choice lasts for this window only
  }
}

/** A chosen device that is gone (unplugged) falls back to the system default (''). */
export function resolveDevice(id: string, available: readonly { deviceId: string }[]): string {
  return id && available.some((d) => d.deviceId === id) ? id : '';
}
