import { afterEach, describe, expect, it } from 'vitest';
import type { Uplink } from '@parley/protocol';
import { QualityMonitor } from './QualityMonitor.ts';
import type { OutboundLink, QualityPeer, QualityView } from './QualityMonitor.ts';
import type { SendPlan } from './sendPlan.ts';
import { PAUSE_AFTER_MS, PROBE_EVERY_MS, PROBE_MS } from './videoFallback.ts';
import type { StatsReport } from './linkStats.ts';
import { fakeReport } from './fakeReport.ts';

/** A sender's stream as one receiver counts it: 50 audio + 30 video packets a second. */
class Incoming {
  received = 0;
  lost = 0;
  bytes = 0;
  frames = 0;
  /** Video frames arrive (false: only audio does). */
  video = true;
  /** Advance by `ms` with `lossPct` of the packets lost (0..100), or nothing arriving. */
  step(ms: number, lossPct: number, flowing = true): void {
    if (!flowing) return;
    const packets = ((this.video ? 80 : 50) * ms) / 1000;
    this.lost += (packets * lossPct) / 100;
    this.received += packets - (packets * lossPct) / 100;
    this.bytes += packets * 900;
    if (this.video) this.frames += (15 * ms) / 1000;
  }
  report(): StatsReport {
    return fakeReport([
      {
        id: 'in',
        type: 'inbound-rtp',
        kind: 'video',
        packetsReceived: Math.round(this.received),
        packetsLost: Math.round(this.lost),
        bytesReceived: this.bytes,
        framesDecoded: Math.floor(this.frames),
      },
    ]);
  }
}

/** What our receivers report back of what we send. */
const sent = (fractionLost: number) =>
  fakeReport([
    { id: 'ri', type: 'remote-inbound-rtp', kind: 'video', fractionLost, roundTripTime: 0.02 },
  ]);

const monitors: QualityMonitor[] = [];
afterEach(() => monitors.splice(0).forEach((m) => m.dispose()));

function rig(names: string[]) {
  const incoming = new Map(names.map((n) => [n, new Incoming()]));
  const peers: QualityPeer[] = names.map((n) => ({
    peerId: n,
    name: n,
    media: { audio: true, video: true },
  }));
  const reports: Uplink[] = [];
  let outbound: OutboundLink[] = [];
  let view: QualityView = {
    self: null,
    selfVideoPaused: false,
    incomingVideoPaused: false,
    peers: {},
  };
  const plans: [string, SendPlan][] = [];
  /** Peers the SFU sends us a lower layer of. */
  const lowered = new Set<string>();
  /** What receiveVideo was told, in order. */
  const receiving: boolean[] = [];
  const monitor = new QualityMonitor({
    peers: () => peers,
    visible: () => true,
    lowered: (id) => lowered.has(id),
    inbound: async (id) => [incoming.get(id)!.report()],
    outbound: async () => outbound,
    sendingVideo: () => true,
    sendPlan: (link, plan) => plans.push([link, plan]),
    receiveVideo: (on) => {
      receiving.push(on);
      for (const inc of incoming.values()) inc.video = on;
    },
    report: (u) => reports.push(u),
    changed: (v) => (view = v),
  });
  monitors.push(monitor);
  let now = 0;
  return {
    peers,
    incoming,
    reports,
    view: () => view,
    plans,
    receiving,
    lowered,
    /** Our sending links' reports, as mesh links `L0`, `L1`… (or one SFU link). */
    setOutbound: (r: StatsReport[], sfu = false) =>
      (outbound = r.map((report, i) => ({ link: sfu ? 'sfu' : `L${i}`, report, sfu }))),
    /** Runs `ms` of ticks; `loss(name)` is each sender's loss now (null: nothing arrives). */
    async run(ms: number, loss: (name: string) => number | null) {
      for (const end = now + ms; now < end;) {
        now += 500;
        for (const [n, inc] of incoming) inc.step(500, loss(n) ?? 0, loss(n) !== null);
        await monitor.tick(now);
      }
    },
  };
}

describe('QualityMonitor', () => {
  it('shows a lossy sender poor on its tile, blaming the link, and the others good', async () => {
    const r = rig(['Ada', 'Bo']);
    await r.run(3_000, (n) => (n === 'Ada' ? 20 : 0));
    expect(r.view().peers.Ada).toEqual({
      quality: 'poor',
      text: 'Poor connection - the link with Ada: packet loss 20 %',
    });
    expect(r.view().peers.Bo).toEqual({ quality: 'good', text: 'Good connection' });
    expect(r.view().self).toBeNull();
  });

  it("names the sender's own connection when they report a poor uplink", async () => {
    const r = rig(['Ada', 'Bo']);
    r.peers[0]!.uplink = { quality: 'poor', cause: 'loss' };
    await r.run(3_000, (n) => (n === 'Ada' ? 20 : 0));
    expect(r.view().peers.Ada?.text).toBe("Poor connection - Ada's connection: packet loss");
    expect(r.view().self).toBeNull();
  });

  it('blames our own connection when everyone arrives badly, and says so to us', async () => {
    const r = rig(['Ada', 'Bo']);
    await r.run(3_000, () => 25);
    expect(r.view().self).toEqual({
      quality: 'poor',
      text: 'Your connection is poor: packet loss 25 %',
    });
    expect(r.view().peers.Bo?.text).toBe('Poor connection - your connection: packet loss 25 %');
  });

  it('says "Connection lost" within 2 s of the media stopping, and drops it when it flows', async () => {
    const r = rig(['Ada']);
    await r.run(2_000, () => 0);
    let stopped = 0;
    while (r.view().peers.Ada?.quality !== 'lost') {
      await r.run(500, () => null);
      stopped += 500;
    }
    expect(stopped).toBeLessThanOrEqual(2_000);
    expect(r.view().peers.Ada?.text).toBe('Connection lost - Ada');
    await r.run(500, () => 0);
    expect(r.view().peers.Ada?.quality).toBe('poor');
    // Recovering slowly: the frame rate over the window with the gap in it is fair, then good.
    await r.run(11_000, () => 0);
    expect(r.view().peers.Ada).toEqual({ quality: 'good', text: 'Good connection' });
  });

  it('does not call a muted, camera-off person lost', async () => {
    const r = rig(['Ada']);
    await r.run(2_000, () => 0);
    r.peers[0]!.media = { audio: false, video: false };
    await r.run(5_000, () => null);
    expect(r.view().peers.Ada?.quality).toBe('good');
  });

  it('reports our uplink to the room once per change of level, through the hysteresis', async () => {
    const r = rig(['Ada']);
    r.setOutbound([sent(0.25)]);
    await r.run(2_000, () => 0);
    expect(r.reports).toEqual([{ quality: 'poor', cause: 'loss' }]);
    expect(r.view().self?.text).toBe('Your connection is poor: packet loss 25 %');
    r.setOutbound([sent(0)]);
    await r.run(3_000, () => 0);
    expect(r.reports).toHaveLength(1);
    await r.run(3_000, () => 0);
    expect(r.reports).toEqual([{ quality: 'poor', cause: 'loss' }, { quality: 'good' }]);
    expect(r.view().self).toBeNull();
  });

  it('takes the best of several sending links as our uplink (one bad receiver is theirs)', async () => {
    const r = rig(['Ada', 'Bo']);
    r.setOutbound([sent(0.3), sent(0)]);
    await r.run(2_000, () => 0);
    expect(r.reports).toEqual([]);
    expect(r.view().self).toBeNull();
  });

  it('pauses our video when our uplink stays poor, tells the room, and resumes after a probe', async () => {
    const r = rig(['Ada']);
    r.setOutbound([sent(0.3)], true);
    await r.run(PAUSE_AFTER_MS + 1_000, () => 0);
    expect(r.plans).toEqual([
      ['sfu', 'full'],
      ['sfu', 'off'],
    ]);
    expect(r.reports.at(-1)).toEqual({ quality: 'poor', cause: 'loss', videoPaused: true });
    expect(r.view().selfVideoPaused).toBe(true);

    // The link heals: the next probe sends video again, still shown to the others as paused
    // until it has passed; then video is back.
    r.setOutbound([sent(0)], true);
    await r.run(PROBE_EVERY_MS[0] + 1_000, () => 0);
    expect(r.plans.slice(2)).toEqual([
      ['sfu', 'low'],
      ['sfu', 'reduced'],
    ]);
    expect(r.reports.at(-1)).toMatchObject({ videoPaused: true });
    await r.run(PROBE_MS, () => 0);
    expect(r.plans.slice(4)).toEqual([['sfu', 'full']]);
    expect(r.view().selfVideoPaused).toBe(false);
    await r.run(6_000, () => 0);
    expect(r.reports.at(-1)).toEqual({ quality: 'good' });
  });

  it("pauses others' video to us when our downlink stays poor, and brings it back after a probe", async () => {
    const r = rig(['Ada', 'Bo']);
    r.setOutbound([sent(0), sent(0)]);
    // Everything reaches us badly: the trouble is ours.
    await r.run(PAUSE_AFTER_MS + 1_000, () => 25);
    expect(r.receiving).toEqual([false]);
    expect(r.view().incomingVideoPaused).toBe(true);
    expect(r.view().self?.text).toMatch(/^Your connection is poor/);
    // Our uplink is fine: the room is not told anything, and our video goes on.
    expect(r.reports).toEqual([]);
    expect(r.view().selfVideoPaused).toBe(false);

    // Our downlink heals: the next probe lets video come again, and it stays.
    await r.run(PROBE_EVERY_MS[0] + PROBE_MS + 1_000, () => 0);
    expect(r.receiving).toEqual([false, true]);
    expect(r.view().incomingVideoPaused).toBe(false);
  });

  it('says on a tile when the SFU lowered its picture to fit our connection', async () => {
    const r = rig(['Ada', 'Bo']);
    r.lowered.add('Ada');
    await r.run(1_000, () => 0);
    expect(r.view().peers['Ada']?.text).toBe(
      'Good connection. Picture lowered to fit your connection',
    );
    expect(r.view().peers['Bo']?.text).toBe('Good connection');
  });

  it("keeps others' video coming when only one sender's link is poor", async () => {
    const r = rig(['Ada', 'Bo']);
    r.setOutbound([sent(0), sent(0)]);
    await r.run(PAUSE_AFTER_MS + 2_000, (n) => (n === 'Ada' ? 30 : 0));
    expect(r.receiving).toEqual([]);
    expect(r.view().incomingVideoPaused).toBe(false);
  });

  it('sizes down only the mesh link that degrades, and no one is told', async () => {
    const r = rig(['Ada', 'Bo']);
    r.setOutbound([sent(0.06), sent(0)]);
    await r.run(2_000, () => 0);
    expect(r.plans).toEqual([
      ['L0', 'reduced'],
      ['L1', 'full'],
    ]);
    r.setOutbound([sent(0.2), sent(0)]);
    await r.run(1_000, () => 0);
    expect(r.plans.at(-1)).toEqual(['L0', 'low']);
    expect(r.reports).toEqual([]);
    // Back up only after the better level held for ADAPT_RECOVER_MS.
    r.setOutbound([sent(0), sent(0)]);
    await r.run(5_000, () => 0);
    expect(r.plans.at(-1)).toEqual(['L0', 'low']);
    await r.run(6_000, () => 0);
    expect(r.plans.at(-1)).toEqual(['L0', 'full']);
  });

  it('does not expect frames from someone whose video is paused', async () => {
    const r = rig(['Ada', 'Bo']);
    await r.run(2_000, () => 0);
    r.peers[0]!.uplink = { quality: 'good', videoPaused: true };
    for (const inc of r.incoming.values()) inc.video = false;
    await r.run(4_000, () => 0);
    expect(r.view().peers.Ada?.quality).toBe('good');
    // Bo's camera is on and nothing says it paused: a stalled picture.
    expect(r.view().peers.Bo).toMatchObject({
      quality: 'fair',
      text: expect.stringMatching(/video at 0 frames/),
    });
  });
});
