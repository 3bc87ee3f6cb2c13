/**
 * The new-assignment chime, synthesised with WebAudio so no audio asset is needed. Browsers only
 * let a page play sound after a user gesture, so `unlockAudio` is called from the sign-in click
 * and the first key press or click afterwards.
 */
let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (context) return context;
  if (typeof AudioContext === 'undefined') return null;
  context = new AudioContext();
  return context;
}

export function unlockAudio(): void {
  const ctx = audioContext();
  if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
}

/** Two short rising notes (~0.4 s): noticeable without being alarming. */
export function playAssignmentSound(): void {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + 0.02;
  const notes: [frequency: number, offset: number][] = [
    [880, 0],
    [1318.5, 0.16],
  ];
  for (const [frequency, offset] of notes) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    const t = start + offset;
    // A quick attack and exponential decay avoid clicks at the start and end of each note.
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.24);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(t);
    oscillator.stop(t + 0.26);
  }
}

/**
 * The offer ring: two short bursts of alternating tones (~1.1 s), unlike the assignment chime,
 * because an offer waits for an answer and times out.
 */
export function playOfferSound(): void {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < 8; i++) {
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = 'triangle';
    oscillator.frequency.value = i % 2 === 0 ? 988 : 784;
    // Two bursts of four notes with a pause between them.
    const t = start + i * 0.09 + (i >= 4 ? 0.35 : 0);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.22, t + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.085);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start(t);
    oscillator.stop(t + 0.09);
  }
}
