type ContextWithSink = AudioContext & { setSinkId?: (id: string) => Promise<void> };

/**
 * The ringtone, synthesised with WebAudio (no asset), on its own AudioContext so it can play on a
 * separate ring device (AudioContext.setSinkId where Chromium supports it), at the ring volume.
 * A classic double ring: 0.4 s on, 0.2 s off, 0.4 s on, 2 s off.
 */
export class Ringtone {
  private ctx: ContextWithSink | null = null;
  private timer: number | null = null;
  private gain: GainNode | null = null;

  constructor(
    private deviceId: string,
    private volume: number,
  ) {}

  configure(deviceId: string, volume: number): void {
    this.volume = volume;
    if (this.gain) this.gain.gain.value = volume;
    if (deviceId !== this.deviceId) {
      this.deviceId = deviceId;
      void this.ctx
        ?.setSinkId?.(deviceId)
        .catch(() => this.ctx?.setSinkId?.('').catch(() => undefined));
    }
  }

  get playing(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer !== null || typeof AudioContext === 'undefined') return;
    if (!this.ctx) {
      this.ctx = new AudioContext() as ContextWithSink;
      if (this.deviceId) void this.ctx.setSinkId?.(this.deviceId).catch(() => undefined);
      this.gain = this.ctx.createGain();
      this.gain.connect(this.ctx.destination);
    }
    this.gain!.gain.value = this.volume;
    void this.ctx.resume().catch(() => undefined);
    const burst = () => {
      const ctx = this.ctx!;
      const t = ctx.currentTime + 0.02;
      for (const offset of [0, 0.6]) {
        for (const freq of [440, 480]) {
          const osc = ctx.createOscillator();
          const env = ctx.createGain();
          osc.frequency.value = freq;
          env.gain.setValueAtTime(0.0001, t + offset);
          env.gain.exponentialRampToValueAtTime(0.3, t + offset + 0.02);
          env.gain.setValueAtTime(0.3, t + offset + 0.38);
          env.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.4);
          osc.connect(env).connect(this.gain!);
          osc.start(t + offset);
          osc.stop(t + offset + 0.42);
        }
      }
    };
    burst();
    this.timer = window.setInterval(burst, 3000);
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }
}
