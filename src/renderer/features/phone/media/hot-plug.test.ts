import { describe, expect, it } from 'vitest';
import { type DeviceSettings } from './devices.js';
import { MediaEngine, type DeviceFallback } from './media-engine.js';

/**
 * Hot-plug without a browser: fake mediaDevices (a device list that the test changes, then a
 * `devicechange`), fake peer connections (senders with replaceTrack) and fake audio elements
 * (setSinkId). Real Chromium is covered by tests/e2e/softphone-devices.spec.ts.
 */

class FakeTrack {
  readonly kind = 'audio';
  readyState: 'live' | 'ended' = 'live';
  enabled = true;
  constructor(readonly deviceId: string) {}
  stop() {
    this.readyState = 'ended';
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

class FakeStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getAudioTracks() {
    return this.tracks;
  }
  getTracks() {
    return this.tracks;
  }
}

type Info = { kind: MediaDeviceKind; deviceId: string };

class FakeMediaDevices extends EventTarget {
  list: Info[] = [
    { kind: 'audioinput', deviceId: 'default' },
    { kind: 'audioinput', deviceId: 'headset-mic' },
    { kind: 'audioinput', deviceId: 'usb-mic' },
    { kind: 'audiooutput', deviceId: 'default' },
    { kind: 'audiooutput', deviceId: 'headset' },
    { kind: 'audiooutput', deviceId: 'speakers' },
  ];
  readonly captures: string[] = [];

  async enumerateDevices() {
    return this.list.map((d) => ({ ...d, label: '', groupId: '' })) as MediaDeviceInfo[];
  }

  async getUserMedia(constraints: MediaStreamConstraints) {
    const audio = constraints.audio;
    const wanted =
      typeof audio === 'object' && audio.deviceId
        ? (audio.deviceId as ConstrainDOMStringParameters).exact
        : undefined;
    const id = typeof wanted === 'string' ? wanted : 'default';
    if (!this.list.some((d) => d.kind === 'audioinput' && d.deviceId === id))
      throw Object.assign(new Error('Requested device not found'), {
        name: 'OverconstrainedError',
      });
    this.captures.push(id);
    return new FakeStream([new FakeTrack(id)]) as unknown as MediaStream;
  }

  unplug(deviceId: string, kind: MediaDeviceKind) {
    this.list = this.list.filter((d) => !(d.kind === kind && d.deviceId === deviceId));
    this.dispatchEvent(new Event('devicechange'));
  }
}

class FakeSender {
  constructor(public track: FakeTrack | null) {}
  readonly replaced: FakeTrack[] = [];
  async replaceTrack(track: FakeTrack | null) {
    if (track) this.replaced.push(track);
    this.track = track;
  }
}

class FakePeerConnection {
  signalingState: RTCSignalingState = 'stable';
  readonly senders: FakeSender[] = [];
  closed = false;
  ontrack: unknown = null;
  addTrack(track: FakeTrack) {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    return sender;
  }
  getSenders() {
    return this.senders;
  }
  getTransceivers() {
    return [];
  }
  async setRemoteDescription() {
    this.signalingState = 'have-remote-offer';
  }
  close() {
    this.closed = true;
  }
}

class FakeAudio {
  autoplay = false;
  srcObject: unknown = null;
  sinkId = '';
  readonly sinks: string[] = [];
  constructor(private readonly devices: FakeMediaDevices) {}
  async setSinkId(id: string) {
    if (id && !this.devices.list.some((d) => d.kind === 'audiooutput' && d.deviceId === id))
      throw new Error('NotFoundError');
    this.sinks.push(id);
    this.sinkId = id;
  }
  async play() {}
}

function rig(devices: Partial<DeviceSettings> = {}) {
  const media = new FakeMediaDevices();
  const pcs: FakePeerConnection[] = [];
  const audios: FakeAudio[] = [];
  const engine = new MediaEngine(
    { micId: '', speakerId: '', ringId: '', ringVolume: 0.8, ...devices },
    { iceGatheringTimeoutMs: 10, loopbackOnly: false },
    {
      mediaDevices: media as unknown as MediaDevices,
      peerConnection: () => {
        const pc = new FakePeerConnection();
        pcs.push(pc);
        return pc as unknown as RTCPeerConnection;
      },
      audioElement: () => {
        const audio = new FakeAudio(media);
        audios.push(audio);
        return audio as unknown as HTMLAudioElement;
      },
    },
  );
  const fallbacks: DeviceFallback[] = [];
  engine.onFallback((f) => fallbacks.push(f));
  /** An incoming call: the remote offer creates the call's peer connection and opens the mic. */
  const call = async (sessionId: string) => {
    await engine.setDescription(sessionId, 'v=0\r\n');
    return { pc: pcs.at(-1)!, audio: audios.at(-1)! };
  };
  return { media, engine, fallbacks, call };
}

/** The engine reacts to `devicechange` asynchronously: let its promise chain run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('MediaEngine hot-plug', () => {
  it('replaces an unplugged microphone by the default in every call, which goes on', async () => {
    const { media, engine, fallbacks, call } = rig({ micId: 'headset-mic' });
    const a = await call('a');
    const b = await call('b');
    const first = a.pc.senders[0]!.track!;
    expect(first.deviceId).toBe('headset-mic');
    expect(b.pc.senders[0]!.track).toBe(first); // one shared capture

    media.unplug('headset-mic', 'audioinput');
    await settle();

    for (const { pc } of [a, b]) {
      expect(pc.senders[0]!.replaced).toHaveLength(1);
      expect(pc.senders[0]!.track!.deviceId).toBe('default');
      expect(pc.senders[0]!.track!.readyState).toBe('live');
      expect(pc.closed).toBe(false);
    }
    expect(first.readyState).toBe('ended');
    expect(engine.sessions()).toEqual(['a', 'b']);
    expect(fallbacks).toEqual([{ kind: 'microphone', deviceId: 'headset-mic' }]);
    expect(engine.devicesInUse().map((d) => d.microphone)).toEqual(['default', 'default']);
  });

  it('keeps the mute state on the new microphone track', async () => {
    const { media, engine, call } = rig({ micId: 'headset-mic' });
    const { pc } = await call('a');
    engine.setMuted(true);
    media.unplug('headset-mic', 'audioinput');
    await settle();
    expect(pc.senders[0]!.track!.deviceId).toBe('default');
    expect(pc.senders[0]!.track!.enabled).toBe(false);
  });

  it('moves call audio from an unplugged speaker to the default sink', async () => {
    const { media, engine, fallbacks, call } = rig({ speakerId: 'headset' });
    const { audio, pc } = await call('a');
    expect(audio.sinkId).toBe('headset');

    media.unplug('headset', 'audiooutput');
    await settle();

    expect(audio.sinkId).toBe('');
    expect(pc.senders[0]!.replaced).toHaveLength(0); // the microphone is untouched
    expect(fallbacks).toEqual([{ kind: 'speaker', deviceId: 'headset' }]);
    expect(engine.devicesInUse()[0]!.speaker).toBe('');
  });

  it('reports an unplugged ring device and a microphone gone between calls', async () => {
    const { media, fallbacks, call } = rig({ micId: 'usb-mic', ringId: 'speakers' });
    media.unplug('speakers', 'audiooutput');
    media.unplug('usb-mic', 'audioinput');
    await settle();
    expect(fallbacks).toHaveLength(2);
    expect(fallbacks).toEqual(
      expect.arrayContaining([
        { kind: 'ring', deviceId: 'speakers' },
        { kind: 'microphone', deviceId: 'usb-mic' },
      ]),
    );
    // No microphone was open: nothing was captured, and the next call takes the default.
    expect(media.captures).toEqual([]);
    const { pc } = await call('a');
    expect(pc.senders[0]!.track!.deviceId).toBe('default');
    expect(media.captures).toEqual(['default']);
  });

  it('does nothing when the chosen devices are still there, or the default is chosen', async () => {
    const { media, fallbacks, call } = rig({ micId: 'headset-mic', speakerId: 'headset' });
    const { pc, audio } = await call('a');
    media.unplug('usb-mic', 'audioinput');
    media.unplug('speakers', 'audiooutput');
    await settle();
    expect(pc.senders[0]!.replaced).toHaveLength(0);
    expect(audio.sinks).toEqual(['headset']);
    expect(fallbacks).toEqual([]);

    const defaults = rig();
    const d = await defaults.call('a');
    defaults.media.unplug('headset-mic', 'audioinput');
    defaults.media.unplug('headset', 'audiooutput');
    await settle();
    expect(d.pc.senders[0]!.replaced).toHaveLength(0);
    expect(defaults.fallbacks).toEqual([]);
  });

  it('cannot tell a device missing without the permission (ids hidden)', async () => {
    const { media, fallbacks } = rig({ micId: 'headset-mic', speakerId: 'headset' });
    media.list = media.list.map((d) => ({ ...d, deviceId: '' }));
    media.dispatchEvent(new Event('devicechange'));
    await settle();
    expect(fallbacks).toEqual([]);
  });

  it('swaps the track once for a burst of devicechange events', async () => {
    const { media, fallbacks, call } = rig({ micId: 'headset-mic' });
    const { pc } = await call('a');
    media.unplug('headset-mic', 'audioinput');
    media.dispatchEvent(new Event('devicechange'));
    media.dispatchEvent(new Event('devicechange'));
    await settle();
    expect(pc.senders[0]!.replaced).toHaveLength(1);
    expect(fallbacks).toHaveLength(1);
  });

  it('does not capture again when the settings follow the fallback', async () => {
    const { media, engine, call } = rig({ micId: 'headset-mic', speakerId: 'headset' });
    const { pc } = await call('a');
    media.unplug('headset-mic', 'audioinput');
    await settle();
    // The store writes the default into the settings, which come back through setDevices.
    await engine.setDevices({ micId: '', speakerId: 'headset', ringId: '', ringVolume: 0.8 });
    expect(pc.senders[0]!.replaced).toHaveLength(1);
    expect(media.captures).toEqual(['headset-mic', 'default']);
  });

  it('falls back at capture time when the chosen microphone is already gone', async () => {
    const { media, call } = rig({ micId: 'headset-mic' });
    media.list = media.list.filter((d) => d.deviceId !== 'headset-mic');
    const { pc } = await call('a');
    expect(pc.senders[0]!.track!.deviceId).toBe('default');
  });
});
