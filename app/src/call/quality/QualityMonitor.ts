import type { MediaState, Uplink } from '@parley/protocol';
import {
  GOOD,
  Hysteresis,
  QUALITY_WORDS,
  causeText,
  classify,
  worse,
} from './connectionQuality.ts';
import type { LinkSample, Quality, Verdict } from './connectionQuality.ts';
import {
  InboundWindow,
  ReportFreshness,
  RetransmitWindows,
  reportCounts,
  videoReportsSince,
  inboundTotals,
  outboundSample,
  sentTotals,
} from './linkStats.ts';
import type { StatsReport } from './linkStats.ts';
import type { SendPlan } from './sendPlan.ts';
import { VideoFallback } from './videoFallback.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

/** A remote person as the monitor needs them. */
export interface QualityPeer {
  peerId: string;
  name: string;
  media: MediaState;
  /** Their own report of their uplink (absent: good). */
  uplink?: Uplink;
}

export interface QualityDeps {
  peers(): readonly QualityPeer[];
  /** Their camera tile is on screen (off-screen video is paused on the SFU: no frames due). */
  visible(peerId: string): boolean;
  /** The SFU sends us a smaller picture of their camera than the tile asked for (our downlink). */
  lowered(peerId: string): boolean;
  /** The stats of the receivers of their camera tile (audio and video); none: nothing shown yet. */
  inbound(peerId: string): Promise<StatsReport[]>;
  /** The stats of each link we send on (a mesh link per peer, or the SFU's send transport). */
  outbound(): Promise<OutboundLink[]>;
  /** Our camera is on (there is video to pause). */
  sendingVideo(): boolean;
  /** How much of our camera a link should carry now (called on a change, per link). */
  sendPlan(link: string, plan: SendPlan): void;
  /** Whether others' camera video is to come to us (off: our downlink cannot carry it). */
  receiveVideo(on: boolean): void;
  /** Tell the room our uplink's level, or whether our video is paused, changed. */
  report(uplink: Uplink): void;
  changed(view: QualityView): void;
}

/** One link we send on, by the id the plan comes back with. */
export interface OutboundLink {
  /** The peer id of a mesh link, or `sfu`. */
  link: string;
  report: StatsReport;
  /**
   * The link goes to the SFU. Its own quality then does not size the video it carries (its
   * simulcast layers and the SFU choose per receiver; a mesh link has one receiver), and its
   * audio receiver reports are no measure of it: mediasoup reports there the worst loss of
   * its own receivers of that audio (so that Opus adds in-band FEC for them).
   */
  sfu: boolean;
}

/** What a tile (or our own status) shows: a level and the words for it. */
export interface TileQuality {
  quality: Quality;
  /** The indicator's tooltip: the level and its cause, naming whose connection it is. */
  text: string;
}

export interface QualityView {
  /** Our own connection, when it is not good (uplink or downlink). */
  self: TileQuality | null;
  /** Our camera is not sent (or only probed) because our uplink cannot carry it. */
  selfVideoPaused: boolean;
  /** Others' camera video does not come to us (or only probed): our downlink cannot carry it. */
  incomingVideoPaused: boolean;
  /** Each remote person we have measured, by peer id. */
  peers: Record<string, TileQuality>;
}

/** Often enough to show a stopped picture as lost within 2 s (LOST_AFTER_MS + one tick). */
export const TICK_MS = 500;

/** Whose connection a tile's level is about. */
type Whose = 'theirs' | 'mine' | 'between';

/**
 * A mesh link's size steps back up only after its better level held this long: longer than
 * the levels shown (RECOVER_MS), since each step up loads the link again.
 */
export const ADAPT_RECOVER_MS = 10_000;

/** The words on a tile whose sender paused their video (PeerInfo.uplink.videoPaused). */
export const VIDEO_PAUSED_TEXT = 'Video paused - poor connection';
/** Added to a tile's tooltip while the SFU sends us a lower layer of it (our downlink). */
export const LOWERED_TEXT = 'Picture lowered to fit your connection';
/** The words on others' tiles while their video does not come to us (our downlink). */
export const INCOMING_PAUSED_TEXT = 'Video paused - your connection';

interface PeerTrack {
  window: InboundWindow;
  shown: Hysteresis;
  whose: Whose;
}

/**
 * Connection quality for everyone in the call (issue 20), from `getStats` every TICK_MS:
 * - our uplink from the receivers' reports on each link we send on; the best link is ours
 *   (one bad link is that receiver's problem), told to the room on a change of level;
 * - each remote person from what we receive of them, combined with their own uplink report,
 *   so a tile names whose connection is poor;
 * - our downlink from the best of the people whose uplink is fine: when even those arrive
 *   badly, the problem is on our side and no one else is blamed.
 * Every level shown goes through a hysteresis (drop at once, recover slowly).
 */
export class QualityMonitor {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly tracks = new Map<string, PeerTrack>();
  private readonly uplink = new Hysteresis();
  private readonly downlink = new Hysteresis();
  private readonly resent = new RetransmitWindows();
  private readonly freshness = new ReportFreshness();
  private readonly fallback = new VideoFallback();
  /** The same fallback for what comes to us: our downlink poor pauses others' video to us. */
  private readonly incoming = new VideoFallback();
  /** Our uplink's verdict when the fallback paused our video. */
  private pausedBy: Verdict = GOOD;
  /** The receiver report counts of each link when the running probe began. */
  private probeStart = new Map<string, Map<string, number>>();
  /** Each mesh link's own level (for its size), and the plan it was last given. */
  private readonly links = new Map<string, { level: Hysteresis; plan: SendPlan | null }>();
  /** The level and pause last told to the room (nothing is told while all is well). */
  private reported = 'good/false';
  private last = '';
  private busy = false;

  constructor(private readonly deps: QualityDeps) {
    this.timer = setInterval(() => {
      if (!this.busy) background(this.tick(Date.now()), 'connection quality');
    }, TICK_MS);
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  /** One round of measuring (public for tests; the timer calls it). */
  async tick(now: number): Promise<void> {
    this.busy = true;
    try {
      await this.measure(now);
    } catch (err) {
      log.warn('connection quality: measuring failed', err);
    } finally {
      this.busy = false;
    }
  }

  private async measure(now: number): Promise<void> {
    const links = await this.uplinkSamples(now);
    const best = bestOf(links.map((l) => l.sample));
    const up = this.uplink.update(best, now);
    const was = this.fallbackState();
    const judged = this.fallback.probing ? bestOf(links.map((l) => l.probed)) : best;
    const fallback = this.deps.sendingVideo() ? this.fallback.update(judged, now) : 'full';
    if (!this.deps.sendingVideo()) this.fallback.reset(now);
    if (this.fallback.paused && was === 'sending') this.pausedBy = best;
    if (this.fallback.probing && was !== 'probing') {
      this.probeStart = new Map(links.map((l) => [l.link, reportCounts(l.raw)]));
    }
    if (this.fallbackState() !== was) {
      log.info(
        `video fallback: ${was} -> ${this.fallbackState()} (${judged.quality}: ${causeText(judged)})`,
      );
    }
    this.plan(links, fallback, now);
    // While our video is paused the link carries our audio well; it is still too poor for
    // video, which is what the others' tiles of us say.
    this.reportUplink(
      this.fallback.paused && worse(this.pausedBy.quality, up.quality)
        ? { ...this.pausedBy, quality: 'poor' }
        : up,
    );

    const peers = this.deps.peers();
    for (const id of this.tracks.keys()) {
      if (!peers.some((p) => p.peerId === id)) this.tracks.delete(id);
    }
    const received = new Map<string, Verdict>();
    // Others' video comes to us unless the incoming fallback paused it (a probe lets it come).
    const videoComes = !this.incoming.paused || this.incoming.probing;
    let videoWanted = false;
    for (const p of peers) {
      const reports = await this.deps.inbound(p.peerId);
      if (reports.length === 0) continue;
      const visible = this.deps.visible(p.peerId);
      const wanted = p.media.video && visible && !p.uplink?.videoPaused;
      videoWanted ||= wanted;
      const video = wanted && videoComes;
      const expected = { media: p.media.audio || video, video };
      const track = this.trackOf(p.peerId);
      received.set(p.peerId, classify(track.window.push(inboundTotals(reports, now), expected)));
    }

    // Our downlink: how the best of those whose own uplink is fine reach us.
    const fine = peers.filter((p) => !p.uplink && received.has(p.peerId));
    const downNow = fine.length > 0 ? bestOf(fine.map((p) => received.get(p.peerId)!)) : GOOD;
    const down = this.downlink.update(downNow, now);
    const self = worse(down.quality, up.quality) ? down : up;
    this.receive(downNow, videoWanted, now);

    const view: QualityView = {
      self:
        self.quality === 'good'
          ? null
          : {
              quality: self.quality,
              text: `Your connection is ${self.quality}: ${causeText(self)}`,
            },
      selfVideoPaused: this.fallback.paused,
      incomingVideoPaused: this.incoming.paused,
      peers: {},
    };
    for (const p of peers) {
      const got = received.get(p.peerId);
      if (!got) continue;
      const theirs: Verdict = p.uplink
        ? { quality: p.uplink.quality, cause: p.uplink.cause ?? null, value: null }
        : GOOD;
      const track = this.trackOf(p.peerId);
      // Their own report decides when it is at least as bad as what reaches us.
      const combined = p.uplink && !worse(got.quality, theirs.quality) ? theirs : got;
      const shown = track.shown.update(combined, now);
      // While a better level waits out its recovery, the shown one keeps its owner.
      if (!worse(shown.quality, combined.quality)) {
        track.whose = combined === theirs ? 'theirs' : down.quality !== 'good' ? 'mine' : 'between';
      }
      const text = tileText(p.name, shown, track.whose);
      view.peers[p.peerId] = {
        quality: shown.quality,
        text: this.deps.lowered(p.peerId) ? `${text}. ${LOWERED_TEXT}` : text,
      };
    }
    const key = JSON.stringify(view);
    if (key !== this.last) {
      this.last = key;
      this.deps.changed(view);
    }
  }

  /**
   * Each link's plan: the fallback's when it pauses or probes our video, else, on a mesh link,
   * a size for that link's own level (loss or little bandwidth: half size when fair, a quarter
   * when poor; delay and jitter are no matter of size). Told on a change only.
   */
  private plan(links: readonly SampledLink[], fallback: SendPlan, now: number): void {
    for (const id of this.links.keys()) {
      if (!links.some((l) => l.link === id)) this.links.delete(id);
    }
    for (const l of links) {
      let state = this.links.get(l.link);
      if (!state) {
        state = { level: new Hysteresis(ADAPT_RECOVER_MS), plan: null };
        this.links.set(l.link, state);
      }
      const level = state.level.update(l.sample ? classify(l.sample) : GOOD, now);
      const own = !l.sfu && !this.fallback.probing;
      const plan = fallback === 'full' && own ? sizeFor(level) : fallback;
      if (plan === state.plan) continue;
      state.plan = plan;
      this.deps.sendPlan(l.link, plan);
    }
  }

  /**
   * Whether others' video comes to us: while some is wanted, our downlink poor for
   * PAUSE_AFTER_MS pauses it (their audio goes on), and probes bring it back, as for our own
   * video. A probe lets it all come at once: the senders and the SFU size what they send.
   */
  private receive(down: Verdict, wanted: boolean, now: number): void {
    const was = stateOf(this.incoming);
    if (wanted) this.incoming.update(down, now);
    else this.incoming.reset(now);
    const state = stateOf(this.incoming);
    if (state === was) return;
    log.info(`incoming video fallback: ${was} -> ${state} (${down.quality}: ${causeText(down)})`);
    if ((was === 'paused') !== (state === 'paused')) this.deps.receiveVideo(state !== 'paused');
  }

  private fallbackState(): FallbackState {
    return stateOf(this.fallback);
  }

  private reportUplink(up: Verdict): void {
    if (up.quality === 'lost') return;
    const cause = up.cause;
    const known =
      cause === 'loss' || cause === 'delay' || cause === 'jitter' || cause === 'bandwidth';
    const uplink: Uplink = {
      quality: up.quality,
      ...(known ? { cause } : {}),
      ...(this.fallback.paused ? { videoPaused: true } : {}),
    };
    const key = `${uplink.quality}/${uplink.videoPaused ?? false}`;
    if (key === this.reported) return;
    this.reported = key;
    this.deps.report(uplink);
  }

  /** Each sending link's sample, its loss the worse of the receivers' and our resending's. */
  private async uplinkSamples(now: number): Promise<SampledLink[]> {
    const links = await this.deps.outbound();
    const totals = links.map((l) => sentTotals(l.report, now));
    const resent = this.resent.push(totals);
    return links.map((l, i) => {
      const audioLoss = !l.sfu;
      const fresh = this.freshness.fresh(l.link, l.report, now);
      const sample = outboundSample(l.report, { fresh, audioLoss });
      const loss = resent.get(totals[i]!.key) ?? null;
      const merged =
        !sample || loss === null
          ? sample
          : { ...sample, lossPct: Math.max(sample.lossPct ?? 0, loss) };
      // A probe raises what the encoders may use, and the browser answers with probe packets
      // that it sends as retransmissions: our resending is no measure of loss during one, and
      // only the video reports since it began speak for it.
      const since = videoReportsSince(l.report, this.probeStart.get(l.link) ?? new Map());
      const probed = this.fallback.probing
        ? outboundSample(l.report, { fresh: since, audioLoss })
        : null;
      return { link: l.link, sfu: l.sfu, sample: merged, probed, raw: l.report };
    });
  }

  private trackOf(peerId: string): PeerTrack {
    let track = this.tracks.get(peerId);
    if (!track) {
      track = { window: new InboundWindow(), shown: new Hysteresis(), whose: 'between' };
      this.tracks.set(peerId, track);
    }
    return track;
  }
}

interface SampledLink {
  link: string;
  sfu: boolean;
  sample: LinkSample | null;
  /** During a probe: what the video reports since it began say (see uplinkSamples). */
  probed: LinkSample | null;
  raw: StatsReport;
}

type FallbackState = 'sending' | 'paused' | 'probing';

function stateOf(f: VideoFallback): FallbackState {
  return f.probing ? 'probing' : f.paused ? 'paused' : 'sending';
}

/** A mesh link's size for its own level. */
function sizeFor(v: Verdict): SendPlan {
  if (v.cause !== 'loss' && v.cause !== 'bandwidth') return 'full';
  return v.quality === 'fair' ? 'reduced' : v.quality === 'good' ? 'full' : 'low';
}

/** The least bad of several links' verdicts (good when there is none). */
function bestOf(samples: readonly (LinkSample | Verdict | null)[]): Verdict {
  let best: Verdict | null = null;
  for (const s of samples) {
    if (!s) continue;
    const v = 'quality' in s ? s : classify(s);
    if (!best || worse(best.quality, v.quality)) best = v;
  }
  return best ?? GOOD;
}

/** "Poor connection - Ada's connection: packet loss", or "Connection lost - Ada". */
export function tileText(name: string, v: Verdict, whose: Whose): string {
  if (v.quality === 'lost') return `Connection lost - ${name}`;
  if (v.quality === 'good') return QUALITY_WORDS.good;
  const cause = causeText(v);
  const about =
    whose === 'theirs'
      ? `${name}'s connection`
      : whose === 'mine'
        ? 'your connection'
        : `the link with ${name}`;
  return `${QUALITY_WORDS[v.quality]} - ${about}${cause ? `: ${cause}` : ''}`;
}
