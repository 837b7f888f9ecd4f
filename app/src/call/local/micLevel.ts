/** The quietest level the meter shows above zero: room noise sits around -60 dBFS. */
const FLOOR_DB = -60;

/**
 * How loud a block of time-domain samples (-1..1) is, 0..100 for a level meter: the RMS in
 * decibels, FLOOR_DB..0 dBFS mapped onto the bar. Decibels, not the raw amplitude, so that
 * speech (around -30..-10 dBFS) moves the bar through its middle rather than its first tenth.
 */
export function levelOf(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  const rms = Math.sqrt(sum / samples.length);
  if (rms === 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.round(Math.min(100, Math.max(0, ((db - FLOOR_DB) / -FLOOR_DB) * 100)));
}
