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
  RetransmitWindows,
  inboundTotals,
  outboundSample,
  sentTotals,
} from './linkStats.ts';
import type { StatsReport } from './linkStats.ts';
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
  /** The stats of the receivers of their camera tile (audio and video); none: nothing shown yet. */
  inbound(peerId: string): Promise<StatsReport[]>;
  /** The stats of each link we send on (a mesh link per peer, or the SFU's send transport). */
  outbound(): Promise<StatsReport[]>;
  /** Tell the room our uplink's level changed. */
  report(uplink: Uplink): void;
  changed(view: QualityView): void;
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
  /** Each remote person we have measured, by peer id. */
  peers: Record<string, TileQuality>;
}

/** Often enough to show a stopped picture as lost within 2 s (LOST_AFTER_MS + one tick). */
export const TICK_MS = 500;

/** Whose connection a tile's level is about. */
type Whose = 'theirs' | 'mine' | 'between';

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
  private reported: Quality = 'good';
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
    const up = this.uplink.update(bestOf(await this.uplinkSamples(now)), now);
    if (up.quality !== this.reported && up.quality !== 'lost') {
      this.reported = up.quality;
      const cause = up.cause;
      const known =
        cause === 'loss' || cause === 'delay' || cause === 'jitter' || cause === 'bandwidth';
      this.deps.report({ quality: up.quality, ...(known ? { cause } : {}) });
    }

    const peers = this.deps.peers();
    for (const id of this.tracks.keys()) {
      if (!peers.some((p) => p.peerId === id)) this.tracks.delete(id);
    }
    const received = new Map<string, Verdict>();
    for (const p of peers) {
      const reports = await this.deps.inbound(p.peerId);
      if (reports.length === 0) continue;
      const visible = this.deps.visible(p.peerId);
      const expected = {
        media: p.media.audio || (p.media.video && visible),
        video: p.media.video && visible,
      };
      const track = this.trackOf(p.peerId);
      received.set(p.peerId, classify(track.window.push(inboundTotals(reports, now), expected)));
    }

    // Our downlink: how the best of those whose own uplink is fine reach us.
    const fine = peers.filter((p) => !p.uplink && received.has(p.peerId));
    const down = this.downlink.update(
      fine.length > 0 ? bestOf(fine.map((p) => received.get(p.peerId)!)) : GOOD,
      now,
    );
    const self = worse(down.quality, up.quality) ? down : up;

    const view: QualityView = {
      self:
        self.quality === 'good'
          ? null
          : {
              quality: self.quality,
              text: `Your connection is ${self.quality}: ${causeText(self)}`,
            },
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
      view.peers[p.peerId] = { quality: shown.quality, text: tileText(p.name, shown, track.whose) };
    }
    const key = JSON.stringify(view);
    if (key !== this.last) {
      this.last = key;
      this.deps.changed(view);
    }
  }

  /** Each sending link's sample, its loss the worse of the receivers' and our resending's. */
  private async uplinkSamples(now: number): Promise<(LinkSample | null)[]> {
    const reports = await this.deps.outbound();
    const totals = reports.map((r) => sentTotals(r, now));
    const resent = this.resent.push(totals);
    return reports.map((r, i) => {
      const sample = outboundSample(r);
      const loss = resent.get(totals[i]!.key) ?? null;
      if (!sample || loss === null) return sample;
      return { ...sample, lossPct: Math.max(sample.lossPct ?? 0, loss) };
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
