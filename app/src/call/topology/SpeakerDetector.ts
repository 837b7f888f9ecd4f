/** Chrome's inbound `audioLevel` (0..1) above which someone counts as speaking. */
export const SPEAKING_LEVEL = 0.03;
/** A new speaker must be this much louder than the current one to take over. */
const TAKEOVER_RATIO = 1.5;
/** Samples the current speaker may stay quiet before losing the highlight. */
const QUIET_SAMPLES = 3;

/**
 * The mesh's own active-speaker guess (the SFU sends `active-speaker` instead): the loudest
 * inbound audio above a threshold, with hysteresis so the highlight does not flicker.
 */
export class SpeakerDetector {
  private current: string | null = null;
  private quiet = 0;

  /** Feeds one sample of every peer's level; returns who is speaking now. */
  sample(levels: Map<string, number>): string | null {
    let loudest: string | null = null;
    let max = SPEAKING_LEVEL;
    for (const [peerId, level] of levels) {
      if (level > max) {
        max = level;
        loudest = peerId;
      }
    }
    const currentLevel = this.current === null ? 0 : (levels.get(this.current) ?? 0);
    if (this.current !== null && currentLevel >= SPEAKING_LEVEL) {
      this.quiet = 0;
      if (loudest !== null && max > currentLevel * TAKEOVER_RATIO) this.current = loudest;
      return this.current;
    }
    // The current speaker is quiet: someone else speaking takes over at once; silence
    // clears the highlight only after a few samples.
    this.quiet += 1;
    if (loudest !== null || this.quiet >= QUIET_SAMPLES) {
      this.current = loudest;
      this.quiet = 0;
    }
    return this.current;
  }

  reset(): void {
    this.current = null;
    this.quiet = 0;
  }
}
