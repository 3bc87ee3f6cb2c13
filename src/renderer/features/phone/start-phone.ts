import { type MediaRequest } from '../../../shared/bridge/phone.js';
import { bridge } from '../../bridge/index.js';
import { MediaEngine } from './media/media-engine.js';
import { Ringtone } from './media/ringtone.js';
import { usePhoneStore } from './phone-store.js';

let engine: MediaEngine | null = null;
let ringtone: Ringtone | null = null;
let stop: (() => void) | null = null;

export const mediaEngine = (): MediaEngine | null => engine;

function clientId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

async function handle(request: MediaRequest, me: string): Promise<void> {
  if (request.clientId !== null && request.clientId !== me) return; // another window owns this call
  const e = engine!;
  let value: unknown = null;
  try {
    switch (request.op) {
      case 'getDescription':
        value = await e.getDescription(request.sessionId, request.hold);
        break;
      case 'setDescription':
        value = await e.setDescription(request.sessionId, request.sdp);
        break;
      case 'sendDtmf':
        value = e.sendDtmf(request.sessionId, request.tones, request.duration, request.gap);
        break;
      case 'rollback':
        await e.rollback(request.sessionId);
        break;
      case 'close':
        e.close(request.sessionId);
        break;
    }
    await bridge().api.call('phone.mediaResult', {
      requestId: request.requestId,
      clientId: me,
      ok: true,
      value,
    });
  } catch (error) {
    await bridge()
      .api.call('phone.mediaResult', {
        requestId: request.requestId,
        clientId: me,
        ok: false,
        error: error instanceof Error ? error.message.slice(0, 1000) : String(error),
      })
      .catch(() => undefined);
  }
}

/**
 * Starts the renderer half of the softphone once per window: attaches this window as the owner
 * of call media, answers main's media requests, follows the phone state and rings.
 * `?phoneLoopback=1` (tests) keeps ICE on 127.0.0.1.
 */
export function startPhone(): () => void {
  if (stop) return stop;
  const params = new URLSearchParams(window.location.search);
  const devices = usePhoneStore.getState().devices;
  engine = new MediaEngine(devices, {
    iceGatheringTimeoutMs: Number(params.get('phoneIceMs') ?? 300),
    loopbackOnly: params.get('phoneLoopback') === '1',
  });
  ringtone = new Ringtone(devices.ringId, devices.ringVolume);
  const me = clientId();
  const b = bridge();
  const e = engine;
  const attach = () =>
    void b.api
      .call('phone.attach', { clientId: me })
      .then((s) => usePhoneStore.getState().setPhone(s))
      .catch(() => undefined);
  attach();
  const offs = [
    e.onFallback((f) => usePhoneStore.getState().deviceFallback(f)),
    b.api.on('phone.changed', (s) => usePhoneStore.getState().setPhone(s)),
    b.api.on('phone.media', (r) => void handle(r, me)),
    b.onTransportStatus((status) => {
      if (status === 'open') attach();
    }),
    usePhoneStore.subscribe((s, prev) => {
      if (s.devices !== prev.devices) {
        void engine?.setDevices(s.devices);
        ringtone?.configure(s.devices.ringId, s.devices.ringVolume);
      }
      const ringing = s.phone.calls.some((c) => c.direction === 'in' && c.state === 'incoming');
      if (ringing && !ringtone?.playing) ringtone?.start();
      if (!ringing && ringtone?.playing) ringtone.stop();
      if (s.muted !== prev.muted) engine?.setMuted(s.muted);
    }),
  ];
  void usePhoneStore.getState().loadHistory();
  // Read-only hook for end-to-end tests and support: RTP counters of a call.
  (window as unknown as { conciergePhone?: unknown }).conciergePhone = {
    stats: (sessionId: string) => engine?.stats(sessionId) ?? null,
    sessions: () => engine?.sessions() ?? [],
    devices: () => engine?.devicesInUse() ?? [],
  };
  stop = () => {
    offs.forEach((off) => off());
    ringtone?.stop();
    stop = null;
  };
  return stop;
}
