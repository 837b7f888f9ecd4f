import { randomBytes } from 'node:crypto';
import { RtpHeader, SrtpSession } from 'werift';
import { describe, expect, it } from 'vitest';
import {
  AEAD_AES_128_GCM,
  AES128_CM_HMAC_SHA1_80,
  RolloverCounter,
  SrtpPeek,
} from '../../load/srtpPeek.ts';

/** werift's SRTP session for `profile` with random master keys (as DTLS would export them). */
function session(profile: number) {
  const saltLength = profile === AEAD_AES_128_GCM ? 12 : 14;
  const key = randomBytes(16);
  const salt = randomBytes(saltLength);
  return new SrtpSession({
    keys: {
      localMasterKey: key,
      localMasterSalt: salt,
      remoteMasterKey: key,
      remoteMasterSalt: salt,
    },
    profile,
  });
}

describe('SrtpPeek: the first 16 payload bytes of werift-encrypted SRTP', () => {
  it.each([
    ['AEAD_AES_128_GCM', AEAD_AES_128_GCM, 16],
    ['AES128_CM_HMAC_SHA1_80', AES128_CM_HMAC_SHA1_80, 10],
  ])('%s', (_name, profile, tag) => {
    const srtp = session(profile);
    const cipher = srtp.localContext.cipher;
    const peek = new SrtpPeek(profile, cipher.srtpSessionKey, cipher.srtpSessionSalt);
    const roc = new RolloverCounter();
    // Across a sequence wrap: the rollover counter goes to 1 and the keystream with it.
    for (const [seq, size] of [
      [65534, 40],
      [65535, 1000],
      [0, 5],
      [1, 300],
    ] as const) {
      const payload = randomBytes(size);
      const header = new RtpHeader({
        sequenceNumber: seq,
        ssrc: 0xcafe0001,
        timestamp: seq * 3000,
        payloadType: 101,
      });
      const packet = srtp.encrypt(payload, header);
      const offset = header.serializeSize;
      const got = peek.peek(packet, offset, packet.length - tag, 0xcafe0001, seq, roc.of(seq));
      expect(got).toEqual(payload.subarray(0, 16));
    }
  });
});

describe('RolloverCounter', () => {
  it('counts wraps, and a late packet from before a wrap keeps its counter', () => {
    const roc = new RolloverCounter();
    const seqs = [65000, 65535, 3, 65534, 20000, 40000, 60000, 5, 70];
    expect(seqs.map((s) => roc.of(s))).toEqual([0, 0, 1, 0, 1, 1, 1, 2, 2]);
  });
});
