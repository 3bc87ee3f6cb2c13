import {
  answerDirection,
  directionIn,
  loopbackOnly,
  offerDirection,
  type Direction,
} from './directions.js';
import { resolveDevice, type DeviceSettings } from './devices.js';

interface CallMedia {
  pc: RTCPeerConnection;
  audio: HTMLAudioElement;
  dtmfSent: string;
}

export interface MediaStats {
  ice: RTCIceConnectionState;
  directions: string[];
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  packetsLost: number;
  dtmfSent: string;
}

type AudioWithSink = HTMLAudioElement & {
  sinkId?: string;
  setSinkId?: (id: string) => Promise<void>;
};

/** What the engine needs from the browser; tests pass fakes (defaults: the real globals). */
export interface MediaEnvironment {
  mediaDevices: Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices' | 'addEventListener'>;
  peerConnection(config: RTCConfiguration): RTCPeerConnection;
  audioElement(): HTMLAudioElement;
}

/** A chosen device that disappeared; the engine already uses the system default instead. */
export interface DeviceFallback {
  kind: 'microphone' | 'speaker' | 'ring';
  /** The id of the device that is gone. */
  deviceId: string;
}

/** The devices a call really uses (support and tests): the sent track's device, the sink. */
export interface DevicesInUse {
  sessionId: string;
  microphone: string | null;
  speaker: string | null;
}

export interface MediaEngineOptions {
  /** Longest wait for ICE gathering before sending the SDP (non-trickle SIP, pitfall #15). */
  iceGatheringTimeoutMs: number;
  /** Test-only: strip non-loopback candidates. */
  loopbackOnly: boolean;
}

/**
 * The renderer's call media: one RTCPeerConnection per SIP session (keyed by the sip.js session
 * id main uses), the microphone (one shared capture), the speaker, DTMF (RFC 4733 through
 * RTCDTMFSender), mute, statistics, and hot-plug: when the chosen microphone or speaker
 * disappears the call continues on the system default.
 */
export class MediaEngine {
  private readonly calls = new Map<string, CallMedia>();
  private mic: MediaStream | null = null;
  private muted = false;
  private levelListeners = new Set<(level: number) => void>();
  private analyser: {
    ctx: AudioContext;
    node: AnalyserNode;
    source: MediaStreamAudioSourceNode;
  } | null = null;
  private levelTimer: number | null = null;
  private fallbackListeners = new Set<(fallback: DeviceFallback) => void>();
  private deviceCheck: Promise<void> = Promise.resolve();
  private readonly env: MediaEnvironment;

  constructor(
    private devices: DeviceSettings,
    private readonly options: MediaEngineOptions,
    env: Partial<MediaEnvironment> = {},
  ) {
    this.env = {
      mediaDevices: env.mediaDevices ?? globalThis.navigator?.mediaDevices,
      peerConnection: env.peerConnection ?? ((config) => new RTCPeerConnection(config)),
      audioElement: env.audioElement ?? (() => new Audio()),
    };
    this.env.mediaDevices?.addEventListener?.('devicechange', () => void this.onDeviceChange());
  }

  /** Called after a chosen device disappeared and the engine switched to the system default. */
  onFallback(listener: (fallback: DeviceFallback) => void): () => void {
    this.fallbackListeners.add(listener);
    return () => this.fallbackListeners.delete(listener);
  }

  async setDevices(devices: DeviceSettings): Promise<void> {
    const micChanged = devices.micId !== this.devices.micId;
    this.devices = devices;
    if (micChanged && this.mic) await this.switchMic(devices.micId);
    for (const call of this.calls.values()) await this.applySpeaker(call.audio);
  }

  private async capture(deviceId: string): Promise<MediaStream> {
    const audio: MediaTrackConstraints = {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    };
    if (deviceId) audio.deviceId = { exact: deviceId };
    try {
      return await this.env.mediaDevices.getUserMedia({ audio, video: false });
    } catch (error) {
      if (!deviceId) throw error;
      // The chosen microphone is gone: the default one rather than no call.
      return this.env.mediaDevices.getUserMedia({ audio: true, video: false });
    }
  }

  private async microphone(): Promise<MediaStream> {
    if (this.mic && this.mic.getAudioTracks().some((t) => t.readyState === 'live')) return this.mic;
    this.mic = await this.capture(this.devices.micId);
    this.applyMute();
    this.attachAnalyser();
    return this.mic;
  }

  private async switchMic(deviceId: string): Promise<void> {
    const next = await this.capture(deviceId);
    const track = next.getAudioTracks()[0];
    if (!track) return;
    for (const call of this.calls.values()) {
      const sender = call.pc
        .getSenders()
        .find((s) => s.track?.kind === 'audio' || s.track === null);
      await sender?.replaceTrack(track);
    }
    this.mic?.getTracks().forEach((t) => t.stop());
    this.mic = next;
    this.applyMute();
    this.attachAnalyser();
  }

  /** Hot-plug; one check at a time, so a burst of events does not swap the track twice. */
  private onDeviceChange(): Promise<void> {
    this.deviceCheck = this.deviceCheck.then(() => this.checkDevices()).catch(() => undefined);
    return this.deviceCheck;
  }

  /**
   * A chosen device that is no longer listed is replaced by the system default: the microphone
   * track of every call through `replaceTrack` (the call goes on), the speaker through
   * `setSinkId('')`; the ring device is only reported (the ringtone follows the settings).
   */
  private async checkDevices(): Promise<void> {
    const list = await this.env.mediaDevices.enumerateDevices();
    const gone = (id: string, kind: MediaDeviceKind) => {
      const present = list.filter((d) => d.kind === kind);
      // Without the permission the ids are hidden (''): nothing can be told missing.
      if (!id || present.some((d) => !d.deviceId)) return false;
      return !resolveDevice(id, present);
    };
    const fallbacks: DeviceFallback[] = [];
    const { micId, speakerId, ringId } = this.devices;
    if (gone(micId, 'audioinput')) {
      this.devices = { ...this.devices, micId: '' };
      if (this.mic) await this.switchMic('');
      fallbacks.push({ kind: 'microphone', deviceId: micId });
    }
    if (gone(speakerId, 'audiooutput')) {
      this.devices = { ...this.devices, speakerId: '' };
      for (const call of this.calls.values())
        await (call.audio as AudioWithSink).setSinkId?.('').catch(() => undefined);
      fallbacks.push({ kind: 'speaker', deviceId: speakerId });
    }
    if (gone(ringId, 'audiooutput')) {
      this.devices = { ...this.devices, ringId: '' };
      fallbacks.push({ kind: 'ring', deviceId: ringId });
    }
    for (const fallback of fallbacks) for (const l of this.fallbackListeners) l(fallback);
  }

  private async applySpeaker(audio: HTMLAudioElement): Promise<void> {
    const el = audio as AudioWithSink;
    if (!el.setSinkId) return;
    await el
      .setSinkId(this.devices.speakerId)
      .catch(() => el.setSinkId?.('').catch(() => undefined));
  }

  private async ensure(sessionId: string): Promise<CallMedia> {
    const existing = this.calls.get(sessionId);
    if (existing) return existing;
    const pc = this.env.peerConnection({
      iceServers: [],
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    });
    const audio = this.env.audioElement();
    audio.autoplay = true;
    const media: CallMedia = { pc, audio, dtmfSent: '' };
    this.calls.set(sessionId, media);
    pc.ontrack = (ev) => {
      audio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      void audio.play().catch(() => undefined);
    };
    await this.applySpeaker(audio);
    const mic = await this.microphone();
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    return media;
  }

  private waitIce(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        resolve();
      };
      const onChange = () => {
        if (pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.options.iceGatheringTimeoutMs);
      pc.addEventListener('icegatheringstatechange', onChange);
    });
  }

  async getDescription(
    sessionId: string,
    hold: boolean,
  ): Promise<{ type: 'offer' | 'answer'; sdp: string }> {
    const { pc } = await this.ensure(sessionId);
    if (pc.signalingState === 'have-remote-offer') {
      const want = answerDirection(directionIn(pc.remoteDescription?.sdp), hold);
      for (const t of pc.getTransceivers())
        if (t.direction !== 'stopped' && t.direction !== want) t.direction = want;
      await pc.setLocalDescription(await pc.createAnswer());
    } else if (pc.signalingState === 'stable') {
      for (const t of pc.getTransceivers()) {
        const want = offerDirection(t.direction as Direction, hold);
        if (want !== t.direction) t.direction = want;
      }
      await pc.setLocalDescription(await pc.createOffer());
    } else {
      throw new Error(`cannot describe in signaling state ${pc.signalingState}`);
    }
    await this.waitIce(pc);
    const local = pc.localDescription!;
    const sdp = this.options.loopbackOnly ? loopbackOnly(local.sdp) : local.sdp;
    return { type: local.type as 'offer' | 'answer', sdp };
  }

  async setDescription(sessionId: string, sdp: string): Promise<{ type: 'offer' | 'answer' }> {
    const { pc } = await this.ensure(sessionId);
    const type = pc.signalingState === 'have-local-offer' ? 'answer' : 'offer';
    await pc.setRemoteDescription({ type, sdp });
    return { type };
  }

  async rollback(sessionId: string): Promise<void> {
    const call = this.calls.get(sessionId);
    if (call && call.pc.signalingState !== 'stable')
      await call.pc.setLocalDescription({ type: 'rollback' });
  }

  sendDtmf(sessionId: string, tones: string, duration: number, gap: number): boolean {
    const call = this.calls.get(sessionId);
    const sender = call?.pc.getSenders().find((s) => s.track?.kind === 'audio');
    if (!call || !sender?.dtmf || !sender.dtmf.canInsertDTMF) return false;
    sender.dtmf.ontonechange = (e) => {
      if (e.tone) call.dtmfSent += e.tone;
    };
    sender.dtmf.insertDTMF(tones, duration, gap);
    return true;
  }

  close(sessionId: string): void {
    const call = this.calls.get(sessionId);
    if (!call) return;
    call.pc.close();
    call.audio.srcObject = null;
    this.calls.delete(sessionId);
    if (this.calls.size === 0) this.releaseMic();
  }

  private releaseMic(): void {
    this.analyser?.source.disconnect();
    this.mic?.getTracks().forEach((t) => t.stop());
    this.mic = null;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.applyMute();
  }

  get isMuted(): boolean {
    return this.muted;
  }

  private applyMute(): void {
    this.mic?.getAudioTracks().forEach((t) => (t.enabled = !this.muted));
  }

  /** Mic level 0..1 about 15 times a second while the microphone is open (the meter). */
  onLevel(listener: (level: number) => void): () => void {
    this.levelListeners.add(listener);
    this.startLevel();
    return () => this.levelListeners.delete(listener);
  }

  /** Opens the microphone outside a call (settings: test the mic). */
  async testMicrophone(): Promise<void> {
    await this.microphone();
  }

  private attachAnalyser(): void {
    if (!this.mic || typeof AudioContext === 'undefined') return;
    const ctx = this.analyser?.ctx ?? new AudioContext();
    this.analyser?.source.disconnect();
    const node = this.analyser?.node ?? ctx.createAnalyser();
    node.fftSize = 512;
    const source = ctx.createMediaStreamSource(this.mic);
    source.connect(node);
    this.analyser = { ctx, node, source };
    this.startLevel();
  }

  private startLevel(): void {
    if (this.levelTimer !== null || this.levelListeners.size === 0) return;
    const buf = new Float32Array(512);
    this.levelTimer = window.setInterval(() => {
      if (this.levelListeners.size === 0) {
        if (this.levelTimer !== null) window.clearInterval(this.levelTimer);
        this.levelTimer = null;
        return;
      }
      let level = 0;
      if (this.analyser && this.mic && !this.muted) {
        this.analyser.node.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        level = Math.min(1, Math.sqrt(sum / buf.length) * 4);
      }
      for (const l of this.levelListeners) l(level);
    }, 66);
  }

  async stats(sessionId: string): Promise<MediaStats | null> {
    const call = this.calls.get(sessionId);
    if (!call) return null;
    const out: MediaStats = {
      ice: call.pc.iceConnectionState,
      directions: call.pc
        .getTransceivers()
        .map((t) => `${t.direction}/${t.currentDirection ?? ''}`),
      packetsSent: 0,
      packetsReceived: 0,
      bytesSent: 0,
      bytesReceived: 0,
      packetsLost: 0,
      dtmfSent: call.dtmfSent,
    };
    (await call.pc.getStats()).forEach(
      (r: { type: string; kind?: string } & Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          out.packetsReceived = Number(r.packetsReceived ?? 0);
          out.bytesReceived = Number(r.bytesReceived ?? 0);
          out.packetsLost = Number(r.packetsLost ?? 0);
        }
        if (r.type === 'outbound-rtp' && r.kind === 'audio') {
          out.packetsSent = Number(r.packetsSent ?? 0);
          out.bytesSent = Number(r.bytesSent ?? 0);
        }
      },
    );
    return out;
  }

  sessions(): string[] {
    return [...this.calls.keys()];
  }

  devicesInUse(): DevicesInUse[] {
    return [...this.calls.entries()].map(([sessionId, call]) => {
      const track = call.pc.getSenders().find((s) => s.track?.kind === 'audio')?.track;
      return {
        sessionId,
        microphone: track?.getSettings().deviceId ?? null,
        speaker: (call.audio as AudioWithSink).sinkId ?? null,
      };
    });
  }
}
