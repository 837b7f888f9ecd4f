import type { LinkSample } from './connectionQuality.ts';

/** The part of RTCStatsReport read here (a Map of stats objects by id). */
export interface StatsReport {
  forEach(cb: (stat: Stat) => void): void;
  get(id: string): Stat | undefined;
}
type Stat = { type: string; kind?: string } & Record<string, unknown>;

/** Cumulative receive counters of one peer's tracks at one moment. */
export interface InboundTotals {
  at: number;
  packetsReceived: number;
  packetsLost: number;
  bytes: number;
  frames: number;
  /** The audio receiver's jitter now, ms (null: no audio). */
  jitterMs: number | null;
  /** Round trip on the selected candidate pair, ms (null: not measured yet). */
  rttMs: number | null;
}

/** Sums the inbound-rtp reports of one peer's receivers (its audio and video). */
export function inboundTotals(reports: readonly StatsReport[], at: number): InboundTotals {
  const out: InboundTotals = {
    at,
    packetsReceived: 0,
    packetsLost: 0,
    bytes: 0,
    frames: 0,
    jitterMs: null,
    rttMs: null,
  };
  for (const report of reports) {
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      out.packetsReceived += num(s.packetsReceived);
      out.packetsLost += num(s.packetsLost);
      out.bytes += num(s.bytesReceived);
      out.frames += num(s.framesDecoded);
      if (s.kind === 'audio' && typeof s.jitter === 'number') {
        out.jitterMs = Math.max(out.jitterMs ?? 0, s.jitter * 1000);
      }
    });
    const rtt = selectedPairRtt(report);
    if (rtt !== null) out.rttMs = Math.max(out.rttMs ?? 0, rtt);
  }
  return out;
}

/** What a receiver expects of a peer now. */
export interface Expected {
  /** Their microphone or camera is on (and for the camera, its tile is on screen). */
  media: boolean;
  /** Their camera is on and its tile is on screen: frames should be decoded. */
  video: boolean;
}

/** Loss and frame rate are judged over this window; shorter is too few packets to count. */
export const WINDOW_MS = 2_000;
/** Fewer packets than this in the window say nothing about loss. */
const MIN_PACKETS = 20;

/**
 * A peer's receive counters over time, turned into samples: loss and frame rate over the last
 * WINDOW_MS, and for how long nothing arrived although something should have.
 */
export class InboundWindow {
  private history: InboundTotals[] = [];
  /** When bytes last grew; null until the peer's media has flowed once (a link coming up). */
  private flowedAt: number | null = null;
  /** Since when the peer has been expected to send (a turned-on microphone starts anew). */
  private expectedSince: number | null = null;

  push(t: InboundTotals, expected: Expected): LinkSample {
    const prev = this.history.at(-1);
    if (prev && t.bytes > prev.bytes) this.flowedAt = t.at;
    if (!expected.media) this.expectedSince = null;
    else this.expectedSince ??= t.at;
    this.history.push(t);
    while (this.history.length > 1 && this.history[1]!.at <= t.at - WINDOW_MS) this.history.shift();
    const first = this.history[0]!;
    const seconds = (t.at - first.at) / 1000;
    const received = Math.max(0, t.packetsReceived - first.packetsReceived);
    const lost = Math.max(0, t.packetsLost - first.packetsLost);
    const counted = received + lost;
    const quiet =
      expected.media && this.flowedAt !== null && this.expectedSince !== null
        ? t.at - Math.max(this.flowedAt, this.expectedSince)
        : 0;
    return {
      lossPct: counted >= MIN_PACKETS ? (100 * lost) / counted : null,
      rttMs: t.rttMs,
      jitterMs: t.jitterMs,
      limitedKbps: null,
      fps: expected.video && seconds >= 1 ? (t.frames - first.frames) / seconds : null,
      silentMs: quiet,
    };
  }
}

/**
 * What the receivers of one sending link report back (RTCP receiver reports, as Chrome's
 * remote-inbound-rtp): loss, round trip and jitter, and the bandwidth estimate when it is what
 * limits our video. Null before any report came back.
 */
export function outboundSample(report: StatsReport): LinkSample | null {
  let seen = false;
  let lossPct = 0;
  let rttMs: number | null = null;
  let jitterMs: number | null = null;
  let limited = false;
  report.forEach((s) => {
    if (s.type === 'remote-inbound-rtp') {
      seen = true;
      lossPct = Math.max(lossPct, num(s.fractionLost) * 100);
      if (typeof s.roundTripTime === 'number') rttMs = Math.max(rttMs ?? 0, s.roundTripTime * 1000);
      if (s.kind === 'audio' && typeof s.jitter === 'number') jitterMs = s.jitter * 1000;
    }
    if (
      s.type === 'outbound-rtp' &&
      s.kind === 'video' &&
      s.qualityLimitationReason === 'bandwidth'
    )
      limited = true;
  });
  if (!seen) return null;
  const available = selectedPair(report)?.availableOutgoingBitrate;
  return {
    lossPct,
    rttMs: rttMs ?? selectedPairRtt(report),
    jitterMs,
    limitedKbps: limited && typeof available === 'number' ? available / 1000 : null,
    fps: null,
    silentMs: 0,
  };
}

function selectedPair(report: StatsReport): Stat | undefined {
  let pair: Stat | undefined;
  report.forEach((s) => {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      pair ??= report.get(s.selectedCandidatePairId);
    }
  });
  if (pair) return pair;
  report.forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') pair ??= s;
  });
  return pair;
}

function selectedPairRtt(report: StatsReport): number | null {
  const rtt = selectedPair(report)?.currentRoundTripTime;
  return typeof rtt === 'number' ? rtt * 1000 : null;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
