// One walkie-talkie channel's outgoing RTP stream (issue #16): successive talkers' packets,
// rewritten so that a listener's decoder sees one continuous stream from one source.

import { randomInt } from 'node:crypto';

const RTP_HEADER = 12;
const RTP_VERSION = 2;

/** Where the parts of an RTP packet (RFC 3550 §5.1) are, or undefined for a malformed one. */
interface RtpView {
  marker: boolean;
  seq: number;
  timestamp: number;
  /** Start of the payload: after the CSRCs and the header extension. */
  payloadStart: number;
  padding: boolean;
}

function parseRtp(packet: Buffer): RtpView | undefined {
  if (packet.length < RTP_HEADER || packet[0]! >> 6 !== RTP_VERSION) return undefined;
  let payloadStart = RTP_HEADER + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < payloadStart + 4) return undefined;
    payloadStart += 4 + packet.readUInt16BE(payloadStart + 2) * 4;
  }
  if (packet.length < payloadStart) return undefined;
  return {
    marker: (packet[1]! & 0x80) !== 0,
    seq: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    payloadStart,
    padding: (packet[0]! & 0x20) !== 0,
  };
}

/** a - b in 16-bit sequence-number arithmetic (RFC 3550 A.1): > 0 when a is newer. */
export function seqDelta(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

/** The mapping from the current talker's numbering to the channel's, fixed at its first packet. */
interface Turn {
  seqOffset: number;
  tsOffset: number;
  /** The channel's sequence number of the turn's first packet. */
  firstSeq: number;
}

export interface ChannelStreamInit {
  ssrc: number;
  payloadType: number;
  /** RTP clock rate (Opus: 48000). */
  clockRate: number;
  /** First sequence number and timestamp; random by default, as RFC 3550 §5.1 asks. */
  initialSeq?: number;
  initialTimestamp?: number;
}

/**
 * Rewrites talkers' RTP into the channel's numbering:
 * - SSRC and payload type: the channel producer's, whoever talks.
 * - Sequence numbers: the first packet of a turn follows the highest number sent before, then
 *   the talker's own deltas (a packet lost upstream stays a gap, which the receiver's
 *   jitter buffer and Opus FEC need to know about). A packet older than its turn's first one
 *   (reordered across the switch) is dropped: it would repeat a number already sent.
 * - Timestamps: the first packet of a turn is stamped the last sent timestamp plus the wall
 *   time elapsed since it was sent (at least one 20 ms frame, so the turns' audio never
 *   overlaps), then the talker's own deltas. The channel's clock thus advances with wall time
 *   across talkers, which keeps the receiver's jitter estimate sane.
 * - Marker bit: kept, and set on a turn's first packet (a talkspurt starts, RFC 3551 §4.1).
 * - Header extensions and CSRCs: stripped. The channel producer declares none, so there is no
 *   ID mapping to keep consistent; mediasoup adds its own (mid, transport-cc) on the way out.
 */
export class ChannelStream {
  readonly ssrc: number;
  readonly payloadType: number;
  private readonly ticksPerMs: number;
  private readonly minTurnStep: number;
  /** Highest sequence number sent, its timestamp and when (ms, monotonic) it was sent. */
  private seq: number;
  private timestamp: number;
  private sentAt: number | undefined;
  private turn: Turn | undefined;

  constructor(init: ChannelStreamInit) {
    this.ssrc = init.ssrc;
    this.payloadType = init.payloadType;
    this.ticksPerMs = init.clockRate / 1000;
    this.minTurnStep = init.clockRate / 50;
    this.seq = init.initialSeq ?? randomInt(0x10000);
    this.timestamp = init.initialTimestamp ?? randomInt(0x100000000);
  }

  /** The next packet starts a new turn (a new talker, or the same one granted again). */
  newTurn(): void {
    this.turn = undefined;
  }

  /** The packet in the channel's numbering, or undefined to drop it (malformed or stale). */
  rewrite(packet: Buffer, nowMs: number): Buffer | undefined {
    const rtp = parseRtp(packet);
    if (!rtp) return undefined;
    let marker = rtp.marker;
    if (!this.turn) {
      this.turn = this.startTurn(rtp, nowMs);
      marker = true;
    }
    const seq = (rtp.seq + this.turn.seqOffset) & 0xffff;
    if (seqDelta(seq, this.turn.firstSeq) < 0) return undefined;
    const timestamp = (rtp.timestamp + this.turn.tsOffset) >>> 0;
    if (seqDelta(seq, this.seq) > 0) {
      this.seq = seq;
      this.timestamp = timestamp;
      this.sentAt = nowMs;
    }
    const out = Buffer.allocUnsafe(RTP_HEADER + packet.length - rtp.payloadStart);
    out[0] = (RTP_VERSION << 6) | (rtp.padding ? 0x20 : 0);
    out[1] = (marker ? 0x80 : 0) | (this.payloadType & 0x7f);
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(timestamp, 4);
    out.writeUInt32BE(this.ssrc, 8);
    packet.copy(out, RTP_HEADER, rtp.payloadStart);
    return out;
  }

  private startTurn(rtp: RtpView, nowMs: number): Turn {
    const firstSeq = (this.seq + 1) & 0xffff;
    const elapsed =
      this.sentAt === undefined ? 0 : Math.round((nowMs - this.sentAt) * this.ticksPerMs);
    const firstTs = (this.timestamp + Math.max(elapsed, this.minTurnStep)) >>> 0;
    return {
      seqOffset: (firstSeq - rtp.seq) & 0xffff,
      tsOffset: (firstTs - rtp.timestamp) >>> 0,
      firstSeq,
    };
  }
}
