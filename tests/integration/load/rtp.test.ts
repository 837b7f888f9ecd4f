import { describe, expect, it } from 'vitest';
import { isVp8KeyframeStart, vp8KeyframeSize, vp8Payloads } from '../../load/rtpPayload.ts';
import { RtpCounter } from '../../load/rtpCounter.ts';

const keyframe = Buffer.concat([
  Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]),
  Buffer.alloc(2500, 7),
]);
const interframe = Buffer.concat([Buffer.from([0x31, 0x02, 0x00]), Buffer.alloc(300, 7)]);

describe('VP8 RTP payloads (RFC 7741)', () => {
  it("splits a frame under the payload size with Chrome's descriptor", () => {
    const payloads = vp8Payloads(keyframe, 0x1234, 1100);
    expect(payloads).toHaveLength(3);
    expect(payloads.every((p) => p.length <= 1100)).toBe(true);
    expect([...payloads[0]!.subarray(0, 4)]).toEqual([0x90, 0x80, 0x92, 0x34]);
    expect([...payloads[1]!.subarray(0, 4)]).toEqual([0x80, 0x80, 0x92, 0x34]);
    expect(Buffer.concat(payloads.map((p) => p.subarray(4)))).toEqual(keyframe);
  });

  it.each([
    ['the first packet of a keyframe', vp8Payloads(keyframe, 1)[0], true],
    ['a later packet of a keyframe', vp8Payloads(keyframe, 1)[1], false],
    ['the first packet of an interframe', vp8Payloads(interframe, 2)[0], false],
    ['a one-byte descriptor keyframe', Buffer.from([0x10, 0x00, 0x01]), true],
    ['an empty payload', Buffer.alloc(0), false],
  ])('%s: keyframe start %s', (_name, payload, expected) => {
    expect(isVp8KeyframeStart(payload!)).toBe(expected);
  });
});

/** A VP8 keyframe's first bytes: frame tag, start code, then width and height (RFC 6386 9.1). */
function sized(width: number, height: number): Buffer {
  const head = Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0]);
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  return Buffer.concat([head, Buffer.alloc(1500, 7)]);
}

describe('the picture size in a VP8 keyframe', () => {
  it.each([
    ['1280x720 in the first packet', vp8Payloads(sized(1280, 720), 1)[0], [1280, 720]],
    ['320x180', vp8Payloads(sized(320, 180), 1)[0], [320, 180]],
    ['scaling bits ignored', vp8Payloads(sized(0x4000 | 640, 0xc000 | 360), 1)[0], [640, 360]],
    ['a one-byte descriptor', Buffer.concat([Buffer.from([0x10]), sized(640, 360)]), [640, 360]],
    ['a later packet of the keyframe', vp8Payloads(sized(1280, 720), 1)[1], undefined],
    ['an interframe', vp8Payloads(interframe, 2)[0], undefined],
    ['no start code', vp8Payloads(keyframe.subarray(0, 3), 1)[0], undefined],
    [
      'cut before the height',
      Buffer.from([0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0, 5]),
      undefined,
    ],
  ])('%s', (_name, payload, expected) => {
    const size = vp8KeyframeSize(payload!);
    expect(size && [size.width, size.height]).toEqual(expected);
  });
});

describe('RtpCounter', () => {
  it('counts packets, frames, keyframes and loss across a sequence wrap', () => {
    let now = 1000;
    const c = new RtpCounter('video', () => now);
    const key = vp8Payloads(keyframe, 1);
    const seqs = [65533, 65534, 65535, 1, 2];
    c.add(seqs[0]!, false, key[0]!);
    now = 1010;
    c.add(seqs[1]!, false, key[1]!);
    c.add(seqs[2]!, true, key[2]!);
    // 0 is lost.
    c.add(seqs[3]!, false, vp8Payloads(interframe, 2)[0]!);
    c.add(seqs[4]!, true, Buffer.from([0x00, 0x80, 0x80, 0x02, 0x00]));
    expect(c.counts()).toMatchObject({
      packets: 5,
      frames: 2,
      keyframes: 1,
      expected: 6,
      lost: 1,
      firstPacketAt: 1000,
      firstKeyframeAt: 1000,
    });
  });

  it('reports the size of the latest keyframe (a simulcast layer switch changes it)', () => {
    const c = new RtpCounter('video');
    expect(c.counts().frameWidth).toBeUndefined();
    c.add(1, true, vp8Payloads(sized(320, 180), 1)[0]!);
    expect(c.counts()).toMatchObject({ frameWidth: 320, frameHeight: 180 });
    c.add(2, true, vp8Payloads(interframe, 2)[0]!);
    c.add(3, true, vp8Payloads(sized(1280, 720), 3)[0]!);
    expect(c.counts()).toMatchObject({ frameWidth: 1280, frameHeight: 720, keyframes: 2 });
  });

  it('counts no frames or keyframes for audio, and a late packet is not a new one', () => {
    const c = new RtpCounter('audio');
    c.add(10, true, Buffer.from([0x10, 0x00]));
    c.add(12, false, Buffer.from([1]));
    c.add(11, false, Buffer.from([1]));
    expect(c.counts()).toMatchObject({ packets: 3, frames: 0, keyframes: 0, expected: 3, lost: 0 });
  });
});

describe('RtpCounter from RTP headers (the SFU path, leanReceive.ts)', () => {
  /** Feeds packets as the lean path does: the payload only when the counter wants it. */
  function feed(
    c: RtpCounter,
    packets: [seq: number, marker: boolean, ts: number, payload: Buffer][],
  ) {
    const inspected: number[] = [];
    for (const [seq, marker, ts, payload] of packets) {
      const wanted = c.wantsPayload(ts);
      if (wanted) inspected.push(seq);
      c.addHeader(seq, marker, ts, payload.length, wanted ? payload : undefined);
    }
    return inspected;
  }
  const key = vp8Payloads(Buffer.concat([sized(640, 360), Buffer.alloc(1500, 7)]), 1);
  const inter = vp8Payloads(Buffer.concat([interframe, Buffer.alloc(1500, 7)]), 2);

  it('reads one payload a frame in order, and counts as `add` does', () => {
    const packets: [number, boolean, number, Buffer][] = [
      [1, false, 3000, key[0]!],
      [2, false, 3000, key[1]!],
      [3, true, 3000, key[2]!],
      [4, false, 6000, inter[0]!],
      [5, true, 6000, inter[1]!],
      [6, false, 9000, inter[0]!],
      [7, true, 9000, inter[1]!],
    ];
    const lean = new RtpCounter('video', () => 5);
    expect(feed(lean, packets)).toEqual([1, 4, 6]);
    const full = new RtpCounter('video', () => 5);
    for (const [seq, marker, , payload] of packets) full.add(seq, marker, payload);
    expect(lean.counts()).toEqual(full.counts());
    expect(lean.counts()).toMatchObject({ frames: 3, keyframes: 1, frameWidth: 640 });
  });

  it("reads every packet of a frame whose start was lost, until the start's retransmission", () => {
    const c = new RtpCounter('video');
    const inspected = feed(c, [
      [11, false, 3000, key[1]!], // the keyframe's first packet (10) is lost
      [12, true, 3000, key[2]!],
      [10, false, 3000, key[0]!], // retransmitted after a NACK
      [13, true, 6000, inter[0]!],
    ]);
    expect(inspected).toEqual([11, 12, 10, 13]);
    expect(c.counts()).toMatchObject({ packets: 4, keyframes: 1, lost: 0, frames: 2 });
  });

  it('reads no audio payload', () => {
    const c = new RtpCounter('audio');
    expect(c.wantsPayload(960)).toBe(false);
    c.addHeader(1, true, 960, 80);
    expect(c.counts()).toMatchObject({ packets: 1, bytes: 80, frames: 0 });
  });
});
