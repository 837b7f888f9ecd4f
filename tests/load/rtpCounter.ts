// What a receiving bot counts for one consumer: packets, bytes, frames and keyframes (video),
// loss from sequence numbers, and when the first packet and first keyframe came.
//
// Everything but keyframes comes from the RTP header, which SRTP leaves in the clear; a keyframe
// shows only in the payload, at the start of its frame. So the SFU path (leanReceive.ts) counts
// each packet by its header and decrypts a video payload only while its frame's start is not
// found yet (`wantsPayload`): about one packet a frame.

import { isVp8FrameStart, isVp8KeyframeStart, vp8KeyframeSize } from './rtpPayload.ts';

export interface RtpCounts {
  packets: number;
  /** RTP payload bytes (what a bitrate is computed from, like `bytesReceived` in browsers). */
  bytes: number;
  /** Video: packets with the marker bit (the last packet of a frame). */
  frames: number;
  keyframes: number;
  /** Packets never received: expected (from sequence numbers) minus received, at least 0. */
  lost: number;
  expected: number;
  /** ms since the epoch, undefined until it happens. */
  firstPacketAt: number | undefined;
  firstKeyframeAt: number | undefined;
  /** Video: the size the latest keyframe announced (a simulcast layer switch changes it). */
  frameWidth?: number;
  frameHeight?: number;
}

export class RtpCounter {
  #packets = 0;
  #bytes = 0;
  #frames = 0;
  #keyframes = 0;
  /** Extended (unwrapped) sequence numbers: first seen and highest seen. */
  #firstSeq: number | undefined;
  #maxSeq = 0;
  #firstPacketAt: number | undefined;
  #firstKeyframeAt: number | undefined;
  #size: { width: number; height: number } | undefined;
  /** Video: the RTP timestamp of the latest frame whose first packet was seen. */
  #startedTs: number | undefined;

  constructor(
    readonly kind: 'audio' | 'video',
    private readonly now: () => number = Date.now,
  ) {}

  /** One RTP packet: its sequence number, marker bit and payload (every payload inspected). */
  add(sequenceNumber: number, marker: boolean, payload: Buffer): void {
    this.#count(sequenceNumber, marker, payload.length);
    if (this.kind === 'video') this.#inspect(payload);
  }

  /**
   * Video: whether a packet with this RTP timestamp may start a frame whose first packet was
   * not seen yet, so its payload is needed to tell a keyframe. In order, that is the first
   * packet of each frame; after a loss, every packet of the frame until its start comes.
   */
  wantsPayload(timestamp: number): boolean {
    return this.kind === 'video' && timestamp !== this.#startedTs;
  }

  /**
   * One RTP packet known by its header: `payloadBytes` from its length, and its decrypted
   * `payload` when `wantsPayload` asked for it (keyframes are read from it).
   */
  addHeader(
    sequenceNumber: number,
    marker: boolean,
    timestamp: number,
    payloadBytes: number,
    payload?: Buffer,
  ): void {
    this.#count(sequenceNumber, marker, payloadBytes);
    if (this.kind === 'video' && payload && this.#inspect(payload)) this.#startedTs = timestamp;
  }

  #count(sequenceNumber: number, marker: boolean, payloadBytes: number): void {
    this.#packets += 1;
    this.#bytes += payloadBytes;
    this.#firstPacketAt ??= this.now();
    this.#track(sequenceNumber);
    if (this.kind === 'video' && marker) this.#frames += 1;
  }

  /** A video payload: counts a keyframe it starts; true when it starts any frame. */
  #inspect(payload: Buffer): boolean {
    if (isVp8KeyframeStart(payload)) {
      this.#size = vp8KeyframeSize(payload) ?? this.#size;
      this.#keyframes += 1;
      this.#firstKeyframeAt ??= this.now();
      return true;
    }
    return isVp8FrameStart(payload);
  }

  #track(seq: number): void {
    if (this.#firstSeq === undefined) {
      this.#firstSeq = seq;
      this.#maxSeq = seq;
      return;
    }
    // Unwrap against the highest so far: within half the 16-bit space is forward.
    const delta = ((seq - (this.#maxSeq & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    const ext = this.#maxSeq + delta;
    if (ext > this.#maxSeq) this.#maxSeq = ext;
  }

  counts(): RtpCounts {
    const expected = this.#firstSeq === undefined ? 0 : this.#maxSeq - this.#firstSeq + 1;
    return {
      packets: this.#packets,
      bytes: this.#bytes,
      frames: this.#frames,
      keyframes: this.#keyframes,
      lost: Math.max(0, expected - this.#packets),
      expected,
      firstPacketAt: this.#firstPacketAt,
      firstKeyframeAt: this.#firstKeyframeAt,
      ...(this.#size ? { frameWidth: this.#size.width, frameHeight: this.#size.height } : {}),
    };
  }
}
