import type { Verdict } from './connectionQuality.ts';
import type { SendPlan } from './sendPlan.ts';

/**
 * Our uplink poor (or lost) this long pauses our video. Poor means under 200 kbit/s for the
 * sender (or 10 % loss, or 800 ms round trip): once speech and headers are carried, video is
 * left a thumbnail at a few frames a second that freezes on every loss, while the same link
 * carries speech well. Three seconds ride out a burst; LiveKit and Jitsi wait about as long.
 */
export const PAUSE_AFTER_MS = 3_000;
/** While paused, a probe every this long (doubled after each relapse, up to the last). */
export const PROBE_EVERY_MS = [4_000, 8_000, 16_000, 32_000] as const;
/**
 * A probe sends video again this long; its verdicts after PROBE_SETTLE_MS decide. It climbs
 * a stair, one step a PROBE_STEP_MS (`low`, `reduced`, `full`), because each step is what
 * makes it a probe: Chrome answers a rise in what the encoders may use with a burst of probe
 * packets, at up to twice its current estimate, and its estimate jumps where the path has
 * room. Three rises take an estimate left low by a limit past what video needs in about two
 * seconds; congestion control alone adds a few percent a second. Video is sent at no more
 * than the estimate, so on a path that still has no room a probe costs what the lowest layer
 * would.
 */
export const PROBE_STEP_MS = 1_000;
export const PROBE_MS = 3_500;
export const PROBE_SETTLE_MS = 2_500;
/**
 * A probe whose only fault is a bandwidth estimate still short of video's, but climbing,
 * goes on up to this long: after a pause the estimate starts low and grows a few percent a
 * second where the path has room, while on a path that has none it stops at the limit.
 */
export const PROBE_MAX_MS = 8_000;
/**
 * A pause this soon after a resume is a relapse: the resumed video itself was too much for
 * the link. A new trouble later on is not, and comes back as fast as the first.
 */
export const RELAPSE_MS = 15_000;
/** Video that held this long since it came back resets the probe interval to its first step. */
export const STABLE_MS = 60_000;

type Phase =
  | { kind: 'sending'; since: number; poorSince: number | null }
  | { kind: 'paused'; probeAt: number }
  | { kind: 'probing'; since: number; bestKbps: number };

const bad = (v: Verdict) => v.quality === 'poor' || v.quality === 'lost';
/** The probe's step after `ms`. */
const stair = (ms: number): SendPlan =>
  ms < PROBE_STEP_MS ? 'low' : ms < 2 * PROBE_STEP_MS ? 'reduced' : 'full';
/** Short of bandwidth only, and with more of it than ever in this probe. */
const climbing = (v: Verdict, bestKbps: number) =>
  v.cause === 'bandwidth' && v.value !== null && v.value > bestKbps;

/**
 * Audio-only fallback for what we send (issue 20): when our uplink stays poor, our camera
 * stops being sent and the audio carries on; a short probe (PROBE_MS) every few seconds tries
 * whether video gets through again, and video comes back once one does. The others keep seeing "Video paused" during a probe: only a resume is visible.
 * A relapse within RELAPSE_MS of a resume doubles the time between probes, so a link that
 * cannot hold video pauses and resumes at most once per PROBE_EVERY_MS step, not at its pace.
 * Pure: fed one verdict per tick with the time.
 */
export class VideoFallback {
  private phase: Phase = { kind: 'sending', since: 0, poorSince: null };
  private step = 0;
  private lastResume = Number.NEGATIVE_INFINITY;
  /** How many times video was paused (for the benchmark's count of flips). */
  pauses = 0;

  /** Video is not being sent as usual (paused, or only probing). */
  get paused(): boolean {
    return this.phase.kind !== 'sending';
  }

  /** A probe is on: video is sent, but not yet shown to the others as back. */
  get probing(): boolean {
    return this.phase.kind === 'probing';
  }

  /** Back to sending, as if nothing happened (the camera went off, the call ended). */
  reset(now: number): void {
    this.phase = { kind: 'sending', since: now, poorSince: null };
  }

  /** The plan for this tick's verdict of our uplink (best link). */
  update(v: Verdict, now: number): SendPlan {
    const p = this.phase;
    switch (p.kind) {
      case 'sending':
        if (now - p.since >= STABLE_MS) this.step = 0;
        if (!bad(v)) p.poorSince = null;
        else if (p.poorSince === null) p.poorSince = now;
        else if (now - p.poorSince >= PAUSE_AFTER_MS) return this.pause(now);
        return 'full';
      case 'paused':
        if (now < p.probeAt) return 'off';
        this.phase = { kind: 'probing', since: now, bestKbps: 0 };
        return 'low';
      case 'probing':
        if (now - p.since >= PROBE_SETTLE_MS && bad(v)) {
          if (climbing(v, p.bestKbps) && now - p.since < PROBE_MAX_MS) {
            p.bestKbps = v.value!;
            return stair(now - p.since);
          }
          this.phase = { kind: 'paused', probeAt: now + this.interval() };
          return 'off';
        }
        if (now - p.since < PROBE_MS) return stair(now - p.since);
        this.phase = { kind: 'sending', since: now, poorSince: null };
        this.lastResume = now;
        return 'full';
    }
  }

  private pause(now: number): 'off' {
    if (now - this.lastResume < RELAPSE_MS) {
      this.step = Math.min(this.step + 1, PROBE_EVERY_MS.length - 1);
    }
    this.pauses += 1;
    this.phase = { kind: 'paused', probeAt: now + this.interval() };
    return 'off';
  }

  private interval(): number {
    return PROBE_EVERY_MS[this.step]!;
  }
}
