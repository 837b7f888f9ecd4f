// A bot's transport-cc feedback (#15): the packet layout, read back with werift's own parser,
// and one report per transport for the packets of every m-line.

import { describe, expect, it } from 'vitest';
import { RtcpPacketConverter, TransportWideCC } from 'werift';
import { TransportFeedback, feedbackPacket, statusChunks } from '../../load/transportFeedback.ts';
import { eventually } from '../support/client.ts';

function parse(packet: Buffer): TransportWideCC {
  const [fb] = RtcpPacketConverter.deSerialize(packet);
  if (!fb || !('feedback' in fb) || !(fb.feedback instanceof TransportWideCC)) {
    throw new Error('not a transport-cc feedback');
  }
  return fb.feedback;
}

describe('transport-cc feedback packet', () => {
  it.each([
    {
      name: 'a gap is reported as not received',
      base: 10,
      arrivals: [
        { seq: 10, atUs: 64_000 * 3 + 500 },
        { seq: 11, atUs: 64_000 * 3 + 1500 },
        { seq: 13, atUs: 64_000 * 3 + 3500 },
      ],
      count: 4,
      // First delta from the reference time, then from the previous packet, in 250 us.
      deltasUs: [500, 1000, 2000],
    },
    {
      name: 'reordering is a negative (large) delta',
      base: 65_534,
      arrivals: [
        { seq: 65_534, atUs: 128_000 + 10_000 },
        { seq: 65_535, atUs: 128_000 + 9_000 },
      ],
      count: 2,
      deltasUs: [10_000, -1000],
    },
  ])('$name', ({ base, arrivals, count, deltasUs }) => {
    const packet = feedbackPacket(1234, 0, 7, base, arrivals);
    expect(packet.length % 4).toBe(0);
    const fb = parse(packet);
    expect(fb.senderSsrc).toBe(1234);
    expect(fb.baseSequenceNumber).toBe(base & 0xffff);
    expect(fb.packetStatusCount).toBe(count);
    expect(fb.fbPktCount).toBe(7);
    expect(fb.referenceTime).toBe(Math.floor((arrivals[0]?.atUs ?? 0) / 64_000));
    expect(fb.recvDeltas.map((d) => d.delta)).toEqual(deltasUs);
  });

  it('uses run-length chunks for long runs and 2-bit vectors for short ones', () => {
    const run = statusChunks(new Array<number>(20).fill(1));
    expect(run).toEqual(Buffer.from([0x20, 20])); // T=0, S=1 (small delta), length 20
    const vector = statusChunks([1, 0, 1]);
    // T=1, S=1, symbols 01 00 01 then 00 (padding), read only up to the status count.
    expect(vector).toEqual(Buffer.from([0xd1, 0x00]));
  });

  it('reports one transport-wide packet per interval, whatever the m-line', async () => {
    const sent: Buffer[] = [];
    const feedback = new TransportFeedback(() => ({
      sendRtcp: async (packets) => void sent.push(...packets.map((p) => p.serialize())),
    }));
    const audio = { rtcpSsrc: 42 };
    const video = {};
    feedback.attach(audio);
    feedback.attach(video);
    // werift's receivers call their `receiverTWCC`: audio and video interleave one sequence.
    for (const [receiver, seq] of [
      [audio, 65_535],
      [video, 0],
      [video, 2],
      [audio, 3],
    ] as const) {
      (receiver as unknown as { receiverTWCC: TransportFeedback }).receiverTWCC.handleTWCC(seq);
    }
    await eventually(() => sent.length >= 1, 2000);
    feedback.close();
    const fb = parse(sent[0] ?? Buffer.alloc(0));
    expect(fb.senderSsrc).toBe(42);
    expect(fb.baseSequenceNumber).toBe(65_535);
    expect(fb.packetStatusCount).toBe(5); // 65535, 0, 1 (lost), 2, 3
    expect(fb.recvDeltas).toHaveLength(4);
  });
});
