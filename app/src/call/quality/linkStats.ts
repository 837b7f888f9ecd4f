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
    let prev = this.history.at(-1);
    // Counters that went back: the tile shows other receivers now (a switch, a new consumer).
    if (
      prev &&
      (t.bytes < prev.bytes || t.frames < prev.frames || t.packetsReceived < prev.packetsReceived)
    ) {
      this.history = [];
      prev = undefined;
    }
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
      // From the first decoded frame on: a picture still starting (a consumer resuming) is not stalled.
      fps:
        expected.video && seconds >= 1 && first.frames > 0
          ? (t.frames - first.frames) / seconds
          : null,
      silentMs: quiet,
    };
  }
}

/**
 * What the receivers of one sending link report back (RTCP receiver reports, as Chrome's
 * remote-inbound-rtp): loss, round trip and jitter, and the bandwidth estimate when it is what
 * limits our video. Null before any report came back.
 */
export function outboundSample(
  report: StatsReport,
  options: {
    /** The receiver reports to read (see ReportFreshness); undefined: all of them. */
    fresh?: ReadonlySet<string>;
    /** Audio's reported loss is this link's (false on the SFU's link: see OutboundLink.sfu). */
    audioLoss?: boolean;
  } = {},
): LinkSample | null {
  const { fresh, audioLoss = true } = options;
  let seen = false;
  let lossPct = 0;
  let rttMs: number | null = null;
  let jitterMs: number | null = null;
  let limited = false;
  report.forEach((s) => {
    // A link with no fresh report still has a sample (its bandwidth, its ICE round trip).
    if (s.type === 'remote-inbound-rtp') seen = true;
    if (s.type === 'remote-inbound-rtp' && (!fresh || fresh.has(String(s.id)))) {
      if (audioLoss || s.kind !== 'audio') lossPct = Math.max(lossPct, num(s.fractionLost) * 100);
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
    // ICE's own checks first: the SFU's receiver reports give round trips of seconds on loopback.
    rttMs: selectedPairRtt(report) ?? rttMs,
    jitterMs,
    limitedKbps: limited && typeof available === 'number' ? available / 1000 : null,
    fps: null,
    silentMs: 0,
  };
}

/**
 * How many receiver reports a remote-inbound-rtp stat has taken in. The spec's counter is
 * `reportsReceived`, which Chrome does not have; Chrome counts the reports that measured a
 * round trip, which every report answering one of our sender reports does.
 */
function reportCount(s: Stat): number | null {
  if (typeof s.reportsReceived === 'number') return s.reportsReceived;
  if (typeof s.roundTripTimeMeasurements === 'number') return s.roundTripTimeMeasurements;
  return null;
}

/**
 * Which receiver reports (remote-inbound-rtp) are news. A browser keeps the last report of a
 * sender that went quiet (a paused video, a switched-off simulcast layer) and sends audio's
 * only every few seconds: the loss it reported before a network got better would otherwise
 * speak for the link long after. A report counts for WINDOW_MS after its count (reportCount)
 * last moved; one without a count always counts.
 */
export class ReportFreshness {
  private readonly seen = new Map<string, { count: number; at: number }>();

  /** The ids in `report` (of the link `link`) that are fresh at `now`. */
  fresh(link: string, report: StatsReport, now: number): Set<string> {
    const out = new Set<string>();
    const present = new Set<string>();
    report.forEach((s) => {
      if (s.type !== 'remote-inbound-rtp') return;
      const id = String(s.id);
      const key = `${link}/${id}`;
      present.add(key);
      const count = reportCount(s);
      if (count === null) {
        out.add(id);
        return;
      }
      const last = this.seen.get(key);
      if (!last) {
        // The first sight of a report says nothing of when it came: news only once it moves.
        this.seen.set(key, { count, at: Number.NEGATIVE_INFINITY });
      } else if (last.count !== count) {
        this.seen.set(key, { count, at: now });
        out.add(id);
      } else if (now - last.at < WINDOW_MS) {
        out.add(id);
      }
    });
    for (const key of this.seen.keys()) {
      if (key.startsWith(`${link}/`) && !present.has(key)) this.seen.delete(key);
    }
    return out;
  }
}

/**
 * The ids of the video receiver reports (remote-inbound-rtp) in `report` that came after
 * `counts`, a snapshot of their report counts (reportCount), by at least `after` reports. A video that
 * was paused is reported again once it flows, and the first report spans the pause: the loss
 * from before it (up to the last report then) counts in it. The second is its own.
 */
export function videoReportsSince(
  report: StatsReport,
  counts: ReadonlyMap<string, number>,
  after = 2,
): Set<string> {
  const out = new Set<string>();
  report.forEach((s) => {
    if (s.type !== 'remote-inbound-rtp' || s.kind !== 'video') return;
    const count = reportCount(s) ?? 0;
    if (count - (counts.get(String(s.id)) ?? 0) >= after) out.add(String(s.id));
  });
  return out;
}

/** Each remote-inbound-rtp's report count now, by id (a snapshot for videoReportsSince). */
export function reportCounts(report: StatsReport): Map<string, number> {
  const out = new Map<string, number>();
  report.forEach((s) => {
    if (s.type === 'remote-inbound-rtp') out.set(String(s.id), reportCount(s) ?? 0);
  });
  return out;
}

/** Video packets sent on one link, and how many of them were retransmissions (NACKed). */
export interface SentTotals {
  at: number;
  /** Identifies the link across samples: the SSRCs of its video senders. */
  key: string;
  sent: number;
  retransmitted: number;
}

export function sentTotals(report: StatsReport, at: number): SentTotals {
  const ssrcs: number[] = [];
  const out = { at, key: '', sent: 0, retransmitted: 0 };
  report.forEach((s) => {
    if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
    ssrcs.push(num(s.ssrc));
    out.sent += num(s.packetsSent);
    out.retransmitted += num(s.retransmittedPacketsSent);
  });
  out.key = ssrcs.sort((a, b) => a - b).join(',');
  return out;
}

/**
 * The loss on the way out, as the sender sees it. Receivers' reports count a packet that a
 * retransmission (NACK, RTX) or redundancy (Opus RED) recovered as received, so at 20 % of
 * packets dropped they say 3-8 %: the path's real loss shows in what had to be sent again.
 * A packet lost with probability p is resent on average p/(1-p) times, so the loss is r/(1+r)
 * for r retransmissions a packet; judged over WINDOW_MS, per link.
 */
export class RetransmitWindows {
  private readonly history = new Map<string, SentTotals[]>();

  /** Takes this round's totals of every link; returns each link's loss (%), by key. */
  push(links: readonly SentTotals[]): Map<string, number | null> {
    const out = new Map<string, number | null>();
    for (const key of this.history.keys()) {
      if (!links.some((l) => l.key === key)) this.history.delete(key);
    }
    for (const t of links) {
      if (!t.key) continue;
      const h = this.history.get(t.key) ?? [];
      h.push(t);
      while (h.length > 1 && h[1]!.at <= t.at - WINDOW_MS) h.shift();
      this.history.set(t.key, h);
      const first = h[0]!;
      const fresh = t.sent - t.retransmitted - (first.sent - first.retransmitted);
      const resent = t.retransmitted - first.retransmitted;
      const r = fresh >= MIN_PACKETS ? Math.max(0, resent) / fresh : null;
      out.set(t.key, r === null ? null : (100 * r) / (1 + r));
    }
    return out;
  }
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
