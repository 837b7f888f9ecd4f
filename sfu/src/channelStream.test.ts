// ChannelStream's rewriting, packet by packet, without a worker.

import { describe, expect, it } from 'vitest';
import { ChannelStream, seqDelta } from './channelStream.ts';

function rtp(seq: number, timestamp: number, opts: { marker?: boolean; ext?: boolean } = {}) {
  const ext = opts.ext ? Buffer.from([0xbe, 0xde, 0, 1, 0x10, 0x7f, 0, 0]) : Buffer.alloc(0);
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (opts.ext ? 0x10 : 0);
  header[1] = (opts.marker ? 0x80 : 0) | 111;
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(0xdead, 8);
  return Buffer.concat([header, ext, Buffer.from('opus')]);
}

function read(packet: Buffer | undefined) {
  if (!packet) return undefined;
  return {
    marker: (packet[1]! & 0x80) !== 0,
    pt: packet[1]! & 0x7f,
    seq: packet.readUInt16BE(2),
    ts: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(12).toString(),
  };
}

const init = {
  ssrc: 42,
  payloadType: 100,
  clockRate: 48000,
  initialSeq: 65534,
  initialTimestamp: 1000,
};

describe('ChannelStream', () => {
  it('numbers turns on from the last packet sent, the clock on by the wall time between', () => {
    const stream = new ChannelStream(init);
    const out = (packet: Buffer, now: number) => read(stream.rewrite(packet, now));
    // First turn: the talker's own numbers do not matter, the channel's follow on.
    expect(out(rtp(500, 7000, { ext: true }), 0)).toEqual({
      marker: true,
      pt: 100,
      seq: 65535,
      ts: 1960,
      ssrc: 42,
      payload: 'opus',
    });
    expect(out(rtp(501, 7960), 20)).toMatchObject({ marker: false, seq: 0, ts: 2920 });
    // Second turn 1 s later: next number, clock + 1000 ms * 48.
    stream.newTurn();
    expect(out(rtp(9, 4_294_967_000), 1020)).toMatchObject({ marker: true, seq: 1, ts: 50_920 });
    expect(out(rtp(10, 664), 1040)).toMatchObject({ seq: 2, ts: 51_880 });
    // A loss upstream stays a gap; a packet from before the turn began is dropped.
    expect(out(rtp(12, 2584), 1080)).toMatchObject({ seq: 4 });
    expect(out(rtp(8, 0), 1081)).toBeUndefined();
    // A quick change of talker still moves the clock by one 20 ms frame.
    stream.newTurn();
    expect(out(rtp(3, 3), 1081)).toMatchObject({ seq: 5, ts: 53_800 + 960 });
  });

  it('drops what is not RTP', () => {
    const stream = new ChannelStream(init);
    for (const bad of [
      Buffer.alloc(4),
      Buffer.alloc(12),
      rtp(1, 1, { ext: true }).subarray(0, 14),
    ]) {
      expect(stream.rewrite(bad, 0)).toBeUndefined();
    }
  });

  it.each([
    [1, 0, 1],
    [0, 65535, 1],
    [65535, 0, -1],
    [100, 100, 0],
  ])('seqDelta(%i, %i) = %i', (a, b, delta) => expect(seqDelta(a, b)).toBe(delta));
});
