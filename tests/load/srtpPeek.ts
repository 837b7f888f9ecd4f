// The first 16 bytes of an SRTP packet's payload, decrypted without the rest (issue #15).
//
// Both of werift's SRTP profiles encrypt with AES in counter mode: the payload's first 16
// bytes are XORed with AES_k(counter block 0), a block made of the session salt, the SSRC, the
// rollover counter and the sequence number. One AES block from a cipher made once replaces a
// new AES-GCM decipher over the whole packet (werift's decryption, ~20 us a packet here),
// which is all a receiving bot needs to tell a VP8 keyframe and its size (rtpPayload.ts reads
// at most 16 bytes). It does not authenticate: leanReceive.ts sends each stream's first packet
// through werift's authenticated decryption, and a wrong key would find no keyframe ever (the
// run then fails: "no keyframe").

import { createCipheriv } from 'node:crypto';
import type { Cipher } from 'node:crypto';

export const AES128_CM_HMAC_SHA1_80 = 0x0001;
export const AEAD_AES_128_GCM = 0x0007;

export class SrtpPeek {
  readonly #aes: Cipher;
  readonly #block = Buffer.alloc(16);

  /** `key` and `salt`: the remote side's SRTP session key and salt (RFC 3711 4.3). */
  constructor(
    private readonly profile: number,
    key: Buffer,
    private readonly salt: Buffer,
  ) {
    if (profile !== AEAD_AES_128_GCM && profile !== AES128_CM_HMAC_SHA1_80) {
      throw new Error(`SRTP profile ${profile} is not one werift speaks`);
    }
    // ECB over one block at a time is the bare AES function: the counter blocks are ours.
    this.#aes = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  }

  /**
   * The first up to 16 plaintext bytes of the payload at `offset`..`end` of `packet`, whose
   * SSRC, sequence number and rollover counter (RFC 3711 3.3.1) are given.
   */
  peek(packet: Buffer, offset: number, end: number, ssrc: number, seq: number, roc: number) {
    const b = this.#block;
    b.fill(0);
    if (this.profile === AEAD_AES_128_GCM) {
      // RFC 7714 8.1: IV = salt XOR (00 00 | SSRC | ROC | SEQ); the payload's first block is
      // counter 2 (GCM's J0 is IV || 1, used for the tag).
      b.writeUInt32BE(ssrc >>> 0, 2);
      b.writeUInt32BE(roc >>> 0, 6);
      b.writeUInt16BE(seq, 10);
      for (let i = 0; i < 12; i++) b[i] = (b[i] ?? 0) ^ (this.salt[i] ?? 0);
      b.writeUInt32BE(2, 12);
    } else {
      // RFC 3711 4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), block 0.
      b.writeUInt32BE(ssrc >>> 0, 4);
      b.writeUInt32BE(roc >>> 0, 8);
      b.writeUInt16BE(seq, 12);
      for (let i = 0; i < 14; i++) b[i] = (b[i] ?? 0) ^ (this.salt[i] ?? 0);
    }
    const keystream = this.#aes.update(b);
    const n = Math.min(16, Math.max(0, end - offset));
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = (packet[offset + i] ?? 0) ^ (keystream[i] ?? 0);
    return out;
  }
}

/**
 * A stream's rollover counter from its sequence numbers (RFC 3711 3.3.1, as libsrtp guesses
 * it): the extended sequence number nearest to the highest seen so far.
 */
export class RolloverCounter {
  #highest: number | undefined;

  /** The rollover counter of a packet with this sequence number. */
  of(seq: number): number {
    if (this.#highest === undefined) {
      this.#highest = seq;
      return 0;
    }
    const delta = ((seq - (this.#highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    const ext = this.#highest + delta;
    if (ext > this.#highest) this.#highest = ext;
    return Math.max(0, Math.floor(ext / 0x10000));
  }
}
