import { describe, expect, it } from 'vitest';
import { applySendPlan, encodingsFor } from './sendPlan.ts';
import type { PlannableSender } from './sendPlan.ts';

const simulcast: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

describe('encodingsFor', () => {
  it.each([
    ['full', [true, true, true]],
    ['reduced', [true, true, false]],
    ['low', [true, false, false]],
    ['off', [false, false, false]],
  ] as const)('switches simulcast layers for %s, keeping their sizes', (plan, active) => {
    const out = encodingsFor(plan, simulcast);
    expect(out.map((e) => e.active)).toEqual(active);
    expect(out.map((e) => [e.rid, e.scaleResolutionDownBy, e.maxBitrate])).toEqual(
      simulcast.map((e) => [e.rid, e.scaleResolutionDownBy, e.maxBitrate]),
    );
  });

  it('scales and caps a single encoding, and lifts the caps again', () => {
    const one: RTCRtpEncodingParameters[] = [{ active: true, networkPriority: 'low' }];
    const low = encodingsFor('low', one);
    expect(low).toEqual([
      { active: true, networkPriority: 'low', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
    ]);
    expect(encodingsFor('reduced', low)[0]).toMatchObject({
      scaleResolutionDownBy: 2,
      maxBitrate: 500_000,
    });
    expect(encodingsFor('off', low)).toEqual([{ ...low[0], active: false }]);
    expect(encodingsFor('full', encodingsFor('off', low))).toEqual([
      { active: true, networkPriority: 'low', scaleResolutionDownBy: 1 },
    ]);
  });
});

describe('applySendPlan', () => {
  function sender(encodings: RTCRtpEncodingParameters[]) {
    const set: RTCRtpSendParameters[] = [];
    const s: PlannableSender = {
      getParameters: () => ({
        transactionId: 't1',
        encodings,
        codecs: [],
        headerExtensions: [],
        rtcp: {},
      }),
      setParameters: (p) => {
        set.push(p);
        return Promise.resolve();
      },
    };
    return { s, set };
  }

  it('sets the plan on the parameters it got (same transaction)', async () => {
    const { s, set } = sender([{ active: true }]);
    await applySendPlan(s, 'off');
    expect(set).toEqual([
      expect.objectContaining({ transactionId: 't1', encodings: [{ active: false }] }),
    ]);
  });

  it('does nothing to a sender without encodings yet', async () => {
    const { s, set } = sender([]);
    await applySendPlan(s, 'off');
    expect(set).toEqual([]);
  });
});
