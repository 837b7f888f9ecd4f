/**
 * Connection quality from WebRTC statistics: what one direction of a link measured over a
 * short window, the level it earns, and a hysteresis that drops at once and recovers slowly.
 * Pure: the sampling (QualityMonitor) and the display (tiles) live elsewhere.
 */

export type Quality = 'good' | 'fair' | 'poor' | 'lost';
export type QualityCause = 'loss' | 'delay' | 'jitter' | 'bandwidth' | 'frames' | 'silence';

/** One direction of a link over the last window; null where nothing was measurable. */
export interface LinkSample {
  /** Packets lost of those sent, percent. */
  lossPct: number | null;
  /** Round trip on the selected candidate pair, ms. */
  rttMs: number | null;
  /** Audio jitter, ms. */
  jitterMs: number | null;
  /** The sender's bandwidth estimate while bandwidth limits what it sends, kbit/s. */
  limitedKbps: number | null;
  /** Video frames decoded per second, when a picture is expected and shown. */
  fps: number | null;
  /** Nothing at all arrived while something was expected, for this long (ms); 0: media flows. */
  silentMs: number;
}

export interface Verdict {
  quality: Quality;
  /** What made it worse than good; null when good. */
  cause: QualityCause | null;
  /** The measured value behind the cause, in its unit (%, ms, kbit/s, fps). */
  value: number | null;
}

/**
 * Where each measure turns a link fair or poor. Opus with its loss concealment and VP8 with
 * retransmissions ride out a few percent of loss; near 10 % video freezes and speech breaks
 * up. A round trip under 400 ms keeps a conversation natural (ITU-T G.114 puts the limit of
 * a comfortable one-way delay at 150-400 ms). Jitter above 30 ms starts to grow the jitter
 * buffer audibly. Below 200 kbit/s, once speech (Opus ~32 kbit/s) and the packets' headers
 * (~16 kbit/s at 50 packets a second) are carried, video is left a thumbnail at a few frames
 * a second; below 400 it is visibly soft. A picture under 8 frames a second stutters, but a
 * receiver short of CPU decodes slowly too, so frames alone never make a link poor.
 */
export const THRESHOLDS = {
  lossPct: { fair: 3, poor: 10 },
  rttMs: { fair: 400, poor: 800 },
  jitterMs: { fair: 30, poor: 100 },
  limitedKbps: { fair: 400, poor: 200 },
  fps: { fair: 8, poor: 0 },
} as const;

/**
 * Nothing received for this long, while the sender sends, is a lost connection: a microphone
 * sends 50 packets a second, even in silence, so a second without one is no jitter.
 */
export const LOST_AFTER_MS = 1_000;

const ORDER: readonly Quality[] = ['good', 'fair', 'poor', 'lost'];

export function worse(a: Quality, b: Quality): boolean {
  return ORDER.indexOf(a) > ORDER.indexOf(b);
}

export const GOOD: Verdict = { quality: 'good', cause: null, value: null };

/** The level a sample earns: its worst measure decides, and names the cause. */
export function classify(s: LinkSample): Verdict {
  if (s.silentMs >= LOST_AFTER_MS) return { quality: 'lost', cause: 'silence', value: s.silentMs };
  let out = GOOD;
  const consider = (quality: Quality, cause: QualityCause, value: number) => {
    if (worse(quality, out.quality)) out = { quality, cause, value };
  };
  const above = (cause: 'loss' | 'delay' | 'jitter', value: number | null, key: AboveKey) => {
    if (value === null) return;
    const t = THRESHOLDS[key];
    if (value >= t.poor) consider('poor', cause, value);
    else if (value >= t.fair) consider('fair', cause, value);
  };
  const below = (cause: 'bandwidth' | 'frames', value: number | null, key: BelowKey) => {
    if (value === null) return;
    const t = THRESHOLDS[key];
    if (value < t.poor) consider('poor', cause, value);
    else if (value < t.fair) consider('fair', cause, value);
  };
  above('loss', s.lossPct, 'lossPct');
  above('delay', s.rttMs, 'rttMs');
  above('jitter', s.jitterMs, 'jitterMs');
  below('bandwidth', s.limitedKbps, 'limitedKbps');
  below('frames', s.fps, 'fps');
  return out;
}
type AboveKey = 'lossPct' | 'rttMs' | 'jitterMs';
type BelowKey = 'limitedKbps' | 'fps';

/** How long a better level must hold before it is shown: drop fast, recover slowly. */
export const RECOVER_MS = 5_000;

/**
 * What is shown of a stream of verdicts. A worse level shows at once; a better one only once
 * every verdict for RECOVER_MS has been at least that good (one step from lost: media flowing
 * again shows poor at once, since the picture is back and "lost" over it would be wrong).
 */
export class Hysteresis {
  private shown: Verdict = GOOD;
  /** Since when every verdict has been better than the shown level, and the worst of them. */
  private better: { since: number; worst: Verdict } | null = null;

  constructor(private readonly recoverMs = RECOVER_MS) {}

  get current(): Verdict {
    return this.shown;
  }

  update(v: Verdict, now: number): Verdict {
    if (!worse(this.shown.quality, v.quality)) {
      this.shown = v;
      this.better = null;
      return this.shown;
    }
    if (this.shown.quality === 'lost') {
      // The media is back: no "lost" over a moving picture, but no all-clear yet either.
      this.shown = v.quality === 'poor' ? v : { quality: 'poor', cause: 'silence', value: null };
      if (v.quality === 'poor') return this.shown;
      this.better = { since: now, worst: v };
      return this.shown;
    }
    if (!this.better) this.better = { since: now, worst: v };
    else if (worse(v.quality, this.better.worst.quality)) this.better.worst = v;
    if (now - this.better.since >= this.recoverMs) {
      this.shown = this.better.worst;
      this.better = worse(this.shown.quality, v.quality) ? { since: now, worst: v } : null;
    }
    return this.shown;
  }
}

/** The words for a cause, with its value: "packet loss 22 %". */
export function causeText(v: Pick<Verdict, 'cause' | 'value'>): string {
  const n = v.value === null ? '' : Math.round(v.value);
  switch (v.cause) {
    case 'loss':
      return n === '' ? 'packet loss' : `packet loss ${n} %`;
    case 'delay':
      return n === '' ? 'long delay' : `delay ${n} ms`;
    case 'jitter':
      return n === '' ? 'uneven delay (jitter)' : `jitter ${n} ms`;
    case 'bandwidth':
      return n === '' ? 'low bandwidth' : `low bandwidth (${n} kbit/s)`;
    case 'frames':
      return n === '' ? 'video stalls' : `video at ${n} frames a second`;
    case 'silence':
      return v.value === null
        ? 'media was interrupted'
        : `nothing received for ${(v.value / 1000).toFixed(1)} s`;
    case null:
      return '';
  }
}

export const QUALITY_WORDS: Record<Quality, string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
  lost: 'Connection lost',
};
