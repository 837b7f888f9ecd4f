import { describe, expect, it } from 'vitest';
import { inboundOf, isFlowing } from './rtcStats.ts';

function report(...stats: Record<string, unknown>[]): RTCStatsReport {
  return new Map(stats.map((s, i) => [`s${i}`, s])) as unknown as RTCStatsReport;
}

describe('inboundOf', () => {
  it('is all zeros for an empty report', () => {
    expect(inboundOf(report())).toEqual({
      framesDecoded: 0,
      bytesReceived: 0,
      audioLevel: 0,
      frameWidth: 0,
    });
  });

  it('sums frames and bytes over inbound-rtp reports and keeps the largest level and width', () => {
    const counters = inboundOf(
      report(
        { type: 'inbound-rtp', framesDecoded: 10, bytesReceived: 1_000, frameWidth: 320 },
        { type: 'inbound-rtp', framesDecoded: 5, bytesReceived: 500, frameWidth: 640 },
        { type: 'inbound-rtp', bytesReceived: 200, audioLevel: 0.2 },
        { type: 'inbound-rtp', bytesReceived: 100, audioLevel: 0.05 },
      ),
    );
    expect(counters).toEqual({
      framesDecoded: 15,
      bytesReceived: 1_800,
      audioLevel: 0.2,
      frameWidth: 640,
    });
  });

  it('ignores everything but inbound-rtp', () => {
    const counters = inboundOf(
      report(
        { type: 'outbound-rtp', framesEncoded: 9, bytesSent: 9_000, frameWidth: 1280 },
        { type: 'candidate-pair', bytesReceived: 5_000 },
        { type: 'inbound-rtp', framesDecoded: 1, bytesReceived: 10 },
      ),
    );
    expect(counters).toEqual({ framesDecoded: 1, bytesReceived: 10, audioLevel: 0, frameWidth: 0 });
  });
});

describe('isFlowing', () => {
  const none = { framesDecoded: 0, bytesReceived: 0, audioLevel: 0, frameWidth: 0 };

  it.each([
    ['video', { ...none }, false],
    ['video', { ...none, bytesReceived: 5_000 }, false],
    ['video', { ...none, framesDecoded: 1 }, true],
    ['audio', { ...none }, false],
    ['audio', { ...none, bytesReceived: 1 }, true],
  ])('%s with %j flows: %s', (kind, counters, flowing) => {
    expect(isFlowing(kind, counters)).toBe(flowing);
  });
});
