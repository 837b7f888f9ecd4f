import { describe, expect, it, vi } from 'vitest';
import { authTagLength, paceNacks, parseRtpHeader } from '../../load/leanReceive.ts';
import type { NackInternals } from '../../load/leanReceive.ts';

/** An RTP header: V=2, then the given flags, CSRCs and extension block. */
function rtp(o: {
  marker?: boolean;
  padding?: boolean;
  csrcs?: number;
  ext?: Buffer;
  payload?: number;
}): Buffer {
  const csrcs = o.csrcs ?? 0;
  const head = Buffer.alloc(12 + csrcs * 4);
  head[0] = 0x80 | (o.padding ? 0x20 : 0) | (o.ext ? 0x10 : 0) | csrcs;
  head[1] = (o.marker ? 0x80 : 0) | 100;
  head.writeUInt16BE(65535, 2);
  head.writeUInt32BE(0xdeadbeef, 4);
  head.writeUInt32BE(0x01020304, 8);
  return Buffer.concat([head, o.ext ?? Buffer.alloc(0), Buffer.alloc(o.payload ?? 20, 9)]);
}

/** A one-byte extension block (0xBEDE): mid "0" (id 1) and transport-cc 0x1234 (id 5). */
const oneByte = Buffer.from([0xbe, 0xde, 0, 2, 0x10, 0x30, 0x51, 0x12, 0x34, 0, 0, 0]);
/** A two-byte extension block (0x1000): transport-cc 0x0102 (id 5), then padding. */
const twoByte = Buffer.from([0x10, 0x00, 0, 2, 0, 5, 2, 0x01, 0x02, 0, 0, 0]);

describe('parseRtpHeader', () => {
  it.each([
    ['plain', rtp({}), 5, { payloadOffset: 12, transportSeq: undefined, marker: false }],
    [
      'marker and padding',
      rtp({ marker: true, padding: true }),
      5,
      { marker: true, padding: true },
    ],
    ['two CSRCs', rtp({ csrcs: 2 }), 5, { payloadOffset: 20 }],
    ['one-byte extensions', rtp({ ext: oneByte }), 5, { payloadOffset: 24, transportSeq: 0x1234 }],
    ['one-byte, id not asked', rtp({ ext: oneByte }), undefined, { payloadOffset: 24 }],
    ['one-byte, id absent', rtp({ ext: oneByte }), 7, { transportSeq: undefined }],
    ['two-byte extensions', rtp({ ext: twoByte }), 5, { payloadOffset: 24, transportSeq: 0x0102 }],
  ])('%s', (_name, buf, twccId, expected) => {
    expect(parseRtpHeader(buf, twccId)).toMatchObject({
      payloadType: 100,
      sequenceNumber: 65535,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      ...expected,
    });
  });

  it.each([
    ['too short', Buffer.alloc(11, 0x80)],
    ['version 1', Buffer.concat([Buffer.from([0x40]), rtp({}).subarray(1)])],
    ['extension past the end', rtp({ ext: oneByte, payload: 0 }).subarray(0, 20)],
  ])('%s: not RTP', (_name, buf) => {
    expect(parseRtpHeader(buf, 5)).toBeUndefined();
  });
});

describe('authTagLength', () => {
  it.each([
    [0x0007, 16], // SRTP_AEAD_AES_128_GCM
    [0x0001, 10], // SRTP_AES128_CM_HMAC_SHA1_80
  ])('profile %i: %i bytes', (profile, length) => {
    expect(authTagLength(profile)).toBe(length);
  });
});

describe("paceNacks: werift's NACK generator at Chrome's 20 ms", () => {
  it('asks every 20 ms while packets are missing, then stops', () => {
    vi.useFakeTimers();
    try {
      const sent: number[][] = [];
      const nack: NackInternals = {
        _lost: {},
        nackLoop: undefined,
        closed: false,
        addPacket: () => undefined,
        setLost: () => undefined,
        sendNack() {
          sent.push(Object.keys(this._lost).map(Number));
          return Promise.resolve();
        },
      };
      paceNacks(nack);
      nack.setLost(7, 1);
      nack.setLost(8, 1);
      vi.advanceTimersByTime(19);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(41);
      expect(sent).toEqual([
        [7, 8],
        [7, 8],
        [7, 8],
      ]);
      nack._lost = {}; // retransmissions came
      vi.advanceTimersByTime(20);
      expect(nack.nackLoop).toBeUndefined();
      vi.advanceTimersByTime(100);
      expect(sent).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
