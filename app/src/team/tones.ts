/**
 * The walkie-talkie's own sounds, made with oscillators (no audio files to fetch or cache):
 * a short rising double beep when the floor is granted ("go ahead"), a low buzz when it is
 * refused. Distinct in pitch and shape, so they tell apart without looking at the screen.
 */

interface Beep {
  /** Hz. */
  frequency: number;
  /** Seconds after the tone starts. */
  at: number;
  seconds: number;
  type: OscillatorType;
}

const PERMIT: Beep[] = [
  { frequency: 880, at: 0, seconds: 0.06, type: 'sine' },
  { frequency: 1320, at: 0.08, seconds: 0.06, type: 'sine' },
];

const BUSY: Beep[] = [
  { frequency: 220, at: 0, seconds: 0.15, type: 'square' },
  { frequency: 220, at: 0.22, seconds: 0.15, type: 'square' },
];

/** Quiet enough beside speech: the tone is a cue, not an alarm. */
const TONE_GAIN = 0.15;

function play(ctx: AudioContext, beeps: Beep[]): void {
  const start = ctx.currentTime + 0.01;
  for (const beep of beeps) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = beep.type;
    osc.frequency.value = beep.frequency;
    // A few ms of ramp at both ends: a hard edge clicks.
    const t0 = start + beep.at;
    const t1 = t0 + beep.seconds;
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(TONE_GAIN, t0 + 0.005);
    gain.gain.setValueAtTime(TONE_GAIN, t1 - 0.005);
    gain.gain.linearRampToValueAtTime(0, t1);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t1);
    osc.onended = () => gain.disconnect();
  }
}

export function playPermitTone(ctx: AudioContext): void {
  play(ctx, PERMIT);
}

export function playBusyTone(ctx: AudioContext): void {
  play(ctx, BUSY);
}
