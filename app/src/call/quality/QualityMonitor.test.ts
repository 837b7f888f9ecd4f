import { afterEach, describe, expect, it } from 'vitest';
import type { Uplink } from '@parley/protocol';
import { QualityMonitor } from './QualityMonitor.ts';
import type { QualityPeer, QualityView } from './QualityMonitor.ts';
import type { StatsReport } from './linkStats.ts';
import { fakeReport } from './fakeReport.ts';

/** A sender's stream as one receiver counts it: 50 audio + 30 video packets a second. */
class Incoming {
  received = 0;
  lost = 0;
  bytes = 0;
  frames = 0;
  /** Advance by `ms` with `lossPct` of the packets lost (0..100), or nothing arriving. */
  step(ms: number, lossPct: number, flowing = true): void {
    if (!flowing) return;
    const packets = (80 * ms) / 1000;
    this.lost += (packets * lossPct) / 100;
    this.received += packets - (packets * lossPct) / 100;
    this.bytes += packets * 900;
    this.frames += (15 * ms) / 1000;
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
  let outbound: StatsReport[] = [];
  let view: QualityView = { self: null, peers: {} };
  const monitor = new QualityMonitor({
    peers: () => peers,
    visible: () => true,
    inbound: async (id) => [incoming.get(id)!.report()],
    outbound: async () => outbound,
    report: (u) => reports.push(u),
    changed: (v) => (view = v),
  });
  monitors.push(monitor);
  let now = 0;
  return {
    peers,
    reports,
    view: () => view,
    setOutbound: (r: StatsReport[]) => (outbound = r),
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
});
