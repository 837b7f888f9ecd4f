import { describe, expect, it } from 'vitest';
import {
  InboundWindow,
  RetransmitWindows,
  inboundTotals,
  outboundSample,
  reportCounts,
  videoReportsSince,
  ReportFreshness,
  sentTotals,
} from './linkStats.ts';
import { fakeReport } from './fakeReport.ts';

const pair = {
  id: 'CP1',
  type: 'candidate-pair',
  currentRoundTripTime: 0.05,
  availableOutgoingBitrate: 120_000,
};
const transport = { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' };

describe('inboundTotals', () => {
  it('sums audio and video receivers and reads the selected pair', () => {
    const audio = fakeReport([
      {
        id: 'A',
        type: 'inbound-rtp',
        kind: 'audio',
        packetsReceived: 500,
        packetsLost: 5,
        bytesReceived: 40_000,
        jitter: 0.012,
      },
      pair,
      transport,
    ]);
    const video = fakeReport([
      {
        id: 'V',
        type: 'inbound-rtp',
        kind: 'video',
        packetsReceived: 300,
        packetsLost: 1,
        bytesReceived: 300_000,
        framesDecoded: 150,
      },
    ]);
    expect(inboundTotals([audio, video], 7)).toEqual({
      at: 7,
      packetsReceived: 800,
      packetsLost: 6,
      bytes: 340_000,
      frames: 150,
      jitterMs: 12,
      rttMs: 50,
    });
  });
});

describe('InboundWindow', () => {
  const at = (t: number, received: number, lost: number, bytes: number, frames = 0) => ({
    at: t,
    packetsReceived: received,
    packetsLost: lost,
    bytes,
    frames,
    jitterMs: null,
    rttMs: null,
  });
  const both = { media: true, video: true };

  it('judges loss over the last two seconds, not since the start', () => {
    const w = new InboundWindow();
    w.push(at(0, 0, 0, 0), both);
    w.push(at(1_000, 1_000, 0, 1), both);
    w.push(at(2_000, 2_000, 0, 2), both);
    // The window reaches back to the sample at 1 s: 100 lost of the 1,200 sent since.
    expect(w.push(at(3_000, 2_100, 100, 3), both).lossPct).toBeCloseTo((100 * 100) / 1_200);
  });

  it('counts the silence only once media has flowed, and only while it is expected', () => {
    const w = new InboundWindow();
    expect(w.push(at(0, 0, 0, 0), both).silentMs).toBe(0);
    expect(w.push(at(3_000, 0, 0, 0), both).silentMs).toBe(0);
    w.push(at(3_500, 10, 0, 100), both);
    expect(w.push(at(4_500, 10, 0, 100), both).silentMs).toBe(1_000);
    expect(w.push(at(5_000, 10, 0, 100), { media: false, video: false }).silentMs).toBe(0);
    // Turned back on: the silence counts from then.
    expect(w.push(at(5_500, 10, 0, 100), both).silentMs).toBe(0);
    expect(w.push(at(6_000, 10, 0, 100), both).silentMs).toBe(500);
  });

  it('starts over when the tile shows other receivers (counters going back)', () => {
    const w = new InboundWindow();
    w.push(at(0, 0, 0, 0, 0), both);
    w.push(at(1_000, 1_000, 0, 1_000, 30), both);
    w.push(at(2_000, 2_000, 0, 2_000, 60), both);
    expect(w.push(at(2_500, 10, 5, 20, 2), both)).toMatchObject({ lossPct: null, fps: null });
    expect(w.push(at(3_500, 100, 5, 200, 17), both).fps).toBe(15);
  });

  it('measures frames a second once the picture has started', () => {
    const w = new InboundWindow();
    w.push(at(0, 0, 0, 0, 0), both);
    expect(w.push(at(2_000, 100, 0, 100, 0), both).fps).toBeNull();
    w.push(at(3_000, 200, 0, 200, 15), both);
    expect(w.push(at(5_000, 300, 0, 300, 45), both).fps).toBe(15);
    expect(w.push(at(5_500, 400, 0, 400, 50), { media: true, video: false }).fps).toBeNull();
  });
});

describe('outboundSample', () => {
  it('reads the receivers reports, and the bandwidth only when it limits our video', () => {
    const r = (reason: string) =>
      fakeReport([
        {
          id: 'RA',
          type: 'remote-inbound-rtp',
          kind: 'audio',
          fractionLost: 0.05,
          roundTripTime: 0.04,
          jitter: 0.02,
        },
        {
          id: 'RV',
          type: 'remote-inbound-rtp',
          kind: 'video',
          fractionLost: 0.125,
          roundTripTime: 0.06,
        },
        { id: 'OV', type: 'outbound-rtp', kind: 'video', qualityLimitationReason: reason },
        pair,
        transport,
      ]);
    expect(outboundSample(r('bandwidth'))).toEqual({
      lossPct: 12.5,
      rttMs: 50,
      jitterMs: 20,
      limitedKbps: 120,
      fps: null,
      silentMs: 0,
    });
    expect(outboundSample(r('none'))?.limitedKbps).toBeNull();
    expect(outboundSample(fakeReport([pair, transport]))).toBeNull();
  });

  it('reads only the fresh reports when told which', () => {
    const report = fakeReport([
      { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0 },
      { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.4 },
      pair,
      transport,
    ]);
    expect(outboundSample(report, { fresh: new Set(['RA']) })?.lossPct).toBe(0);
    // None fresh: still a sample of the link, with no loss from what is stale.
    expect(outboundSample(report, { fresh: new Set() })).toMatchObject({ lossPct: 0, rttMs: 50 });
    expect(outboundSample(report)?.lossPct).toBe(40);
  });

  it("leaves out audio's loss where it is not the link's (the SFU's worst receiver)", () => {
    const report = fakeReport([
      { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.5 },
      { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.25 },
      pair,
      transport,
    ]);
    expect(outboundSample(report)?.lossPct).toBe(50);
    expect(outboundSample(report, { audioLoss: false })?.lossPct).toBe(25);
  });
});

describe('videoReportsSince', () => {
  it('names the video reports that came at least twice since the snapshot', () => {
    // Chrome counts reports as round trips measured; the spec's counter is reportsReceived.
    const at = (a: number, v1: number, v2: number) =>
      fakeReport([
        { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', roundTripTimeMeasurements: a },
        { id: 'V1', type: 'remote-inbound-rtp', kind: 'video', roundTripTimeMeasurements: v1 },
        { id: 'V2', type: 'remote-inbound-rtp', kind: 'video', reportsReceived: v2 },
      ]);
    const counts = reportCounts(at(10, 4, 7));
    expect([...videoReportsSince(at(14, 5, 7), counts)]).toEqual([]);
    expect([...videoReportsSince(at(14, 6, 8), counts)]).toEqual(['V1']);
    expect([...videoReportsSince(at(14, 6, 9), counts)]).toEqual(['V1', 'V2']);
  });
});

describe('ReportFreshness', () => {
  const reports = (audio: number, video: number) =>
    fakeReport([
      { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', reportsReceived: audio },
      { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', roundTripTimeMeasurements: video },
      { id: 'RX', type: 'remote-inbound-rtp', kind: 'video' },
    ]);

  it('counts a report for a window after it moved, and one without a counter always', () => {
    const f = new ReportFreshness();
    expect([...f.fresh('L', reports(1, 1), 0)]).toEqual(['RX']);
    expect([...f.fresh('L', reports(1, 2), 1_000)]).toEqual(['RV', 'RX']);
    // Video reports stop (its sender paused); audio's come every few seconds.
    expect([...f.fresh('L', reports(2, 2), 2_500)]).toEqual(['RA', 'RV', 'RX']);
    expect([...f.fresh('L', reports(2, 2), 3_500)]).toEqual(['RA', 'RX']);
    expect([...f.fresh('L', reports(2, 2), 5_000)]).toEqual(['RX']);
    // Another link's reports with the same ids are their own.
    expect([...f.fresh('M', reports(2, 2), 5_000)]).toEqual(['RX']);
  });
});

describe('RetransmitWindows', () => {
  const sent = (at: number, ssrc: number, packets: number, resent: number) =>
    sentTotals(
      fakeReport([
        {
          id: `O${ssrc}`,
          type: 'outbound-rtp',
          kind: 'video',
          ssrc,
          packetsSent: packets,
          retransmittedPacketsSent: resent,
        },
      ]),
      at,
    );

  it('turns retransmissions into the loss of the path, per link', () => {
    const w = new RetransmitWindows();
    w.push([sent(0, 1, 0, 0), sent(0, 2, 0, 0)]);
    // Link 1: 100 new packets and 25 resent (20 % lost); link 2: none resent.
    const out = w.push([sent(2_000, 1, 125, 25), sent(2_000, 2, 100, 0)]);
    expect(out.get('1')).toBeCloseTo(20);
    expect(out.get('2')).toBe(0);
  });

  it('says nothing from too few packets, and forgets a link that went away', () => {
    const w = new RetransmitWindows();
    w.push([sent(0, 1, 0, 0)]);
    expect(w.push([sent(500, 1, 10, 5)]).get('1')).toBeNull();
    w.push([]);
    expect(w.push([sent(1_000, 1, 200, 5)]).get('1')).toBeNull();
  });
});
