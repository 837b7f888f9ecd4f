// A receive transport's RTP counted from its headers (issue #15: the meeting benchmark's bots,
// not the server, were its limit).
//
// werift (0.24) handles every received SRTP packet the same way: it parses the RTP header,
// decrypts and authenticates the payload (a new AES-GCM decipher each time), parses the header
// again from the result, routes it, copies it for the track and runs four events, each
// starting a promise. Profiled in a bot process of 5 subscribers (9 videos and 10 microphones
// each, ~1,160 packets/s a bot), that path was ~60 % of the process's CPU: decryption 31 %,
// the header parsing ~18 % (its bit reads go through strings), the garbage collector 11 %.
//
// A counting subscriber needs little of it: SRTP leaves the RTP header in the clear (RFC 3711
// 3.1), and sequence number, marker, timestamp, SSRC and the transport-wide sequence number are
// all a bot counts and reports. So this path reads the header itself and decrypts a payload
// (werift's own decryption, authenticated) only when the bot has to see it: a video packet that
// may start a frame whose start was not seen yet (the keyframe check, rtpCounter.ts), or one
// with padding (its length is in its encrypted last byte). Receiver reports, NACKs and
// transport-cc feedback stay werift's and ours as before: each packet still goes through the
// receiver's statistics (its receiver reports), its NACK generator and transportFeedback.ts.
// What it no longer does: authenticate the packets it does not decrypt.

import type { RTCDtlsTransport, RTCRtpReceiver } from 'werift';
import type { Kind } from './peer.ts';
import type { RtpCounter } from './rtpCounter.ts';
import { RolloverCounter, SrtpPeek } from './srtpPeek.ts';

/** The RTP header fields a counting receiver reads. */
export interface RtpHeaderView {
  padding: boolean;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Where the payload starts: after CSRCs and header extensions. */
  payloadOffset: number;
  /** The transport-wide sequence number, when `twccId` was given and the packet has it. */
  transportSeq: number | undefined;
}

/**
 * Reads an RTP header (RFC 3550 5.1, extensions RFC 8285), or undefined when `buf` is not one
 * (too short, not version 2, extensions past the end).
 */
export function parseRtpHeader(buf: Buffer, twccId?: number): RtpHeaderView | undefined {
  if (buf.length < 12) return undefined;
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 >> 6 !== 2) return undefined;
  let offset = 12 + (b0 & 0x0f) * 4;
  let transportSeq: number | undefined;
  if (b0 & 0x10) {
    if (buf.length < offset + 4) return undefined;
    const profile = buf.readUInt16BE(offset);
    const end = offset + 4 + buf.readUInt16BE(offset + 2) * 4;
    if (buf.length < end) return undefined;
    if (twccId !== undefined) transportSeq = extensionValue(buf, offset + 4, end, profile, twccId);
    offset = end;
  }
  return {
    padding: (b0 & 0x20) !== 0,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payloadOffset: offset,
    transportSeq,
  };
}

/** A 16-bit header extension element's value (one-byte or two-byte form), if present. */
function extensionValue(
  buf: Buffer,
  start: number,
  end: number,
  profile: number,
  id: number,
): number | undefined {
  const oneByte = profile === 0xbede;
  if (!oneByte && profile >> 4 !== 0x100) return undefined;
  let at = start;
  while (at < end) {
    const b = buf[at] ?? 0;
    if (b === 0) {
      at += 1; // padding
      continue;
    }
    const elementId = oneByte ? b >> 4 : b;
    if (oneByte && elementId === 15) return undefined;
    const length = oneByte ? (b & 0x0f) + 1 : (buf[at + 1] ?? 0);
    const data = at + (oneByte ? 1 : 2);
    if (elementId === id && length >= 2 && data + 2 <= end) return buf.readUInt16BE(data);
    at = data + length;
  }
  return undefined;
}

/** SRTP's authentication tag length for werift's profiles (RFC 7714: 16; RFC 3711 HMAC-80: 10). */
export function authTagLength(profile: number): number {
  const AEAD_AES_128_GCM = 0x0007;
  return profile === AEAD_AES_128_GCM ? 16 : 10;
}

/**
 * What this file uses of werift's RTCRtpReceiver beyond its typings: `handleRTP` (statistics
 * for its receiver reports, transport-cc, the report loop) and its NACK generator. Both read
 * only the header fields and the payload's length given here.
 */
interface ReceiverInternals {
  handleRTP(packet: LightPacket, extensions: Record<string, unknown>, track: undefined): void;
  nack: NackInternals;
  /** Per SSRC: what its receiver reports say (created by handleRTP's first packet). */
  remoteStreams: Record<number, { add(packet: LightPacket): void } | undefined>;
  /** transportFeedback.ts's generator, once attached (peer.ts). */
  receiverTWCC?: { handleTWCC(seq: number | undefined): void };
}
/** werift's NackHandler (src/media/receiver/nack.ts), what `paceNacks` replaces and reads. */
export interface NackInternals {
  addPacket(packet: LightPacket): void;
  setLost(seq: number, count: number): void;
  sendNack(): Promise<unknown>;
  _lost: Record<number, number>;
  nackLoop: ReturnType<typeof setInterval> | undefined;
  closed: boolean;
}

/** libwebrtc's NackRequester looks for packets to NACK every 20 ms (kProcessIntervalMs). */
export const NACK_INTERVAL_MS = 20;

/**
 * werift's NACK generator sends a NACK for every missing packet every 5 ms (10 times each):
 * under loss that is 200 NACKs a second per video stream, four times Chrome's, and in a
 * meeting bench step with loss those NACKs and their retransmissions took CPU the bots and
 * the server were short of. Same rules, Chrome's cadence.
 */
export function paceNacks(nack: NackInternals): void {
  nack.setLost = (seq, count) => {
    nack._lost[seq] = count;
    if (nack.nackLoop || nack.closed) return;
    nack.nackLoop = setInterval(() => {
      if (Object.keys(nack._lost).length === 0) {
        clearInterval(nack.nackLoop);
        nack.nackLoop = undefined;
        return;
      }
      // A NACK that fails to go out is like one lost on the wire: the next round asks again.
      nack.sendNack().catch(() => undefined);
    }, NACK_INTERVAL_MS);
  };
}

interface LightPacket {
  header: {
    sequenceNumber: number;
    timestamp: number;
    ssrc: number;
    payloadType: number;
    serializeSize: number;
  };
  payload: { length: number };
}

/** werift's UdpTransport: the socket calls `onData` for every datagram. */
interface UdpLike {
  onData: (data: Buffer, addr: [string, number]) => void;
}

interface Stream {
  kind: Kind;
  receiver: ReceiverInternals;
  /** Undefined once the bot stopped counting this consumer (its peer went back to the mesh). */
  counter: RtpCounter | undefined;
  /** werift's statistics of this stream, once its first packet went through handleRTP. */
  stats: { add(packet: LightPacket): void } | undefined;
  roc: RolloverCounter;
  /** A packet of this stream passed werift's authenticated decryption. */
  authenticated: boolean;
}

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** RFC 5764 5.1.2 / RFC 5761 4: first byte 128-191 is RTP or RTCP; RTCP's types are 192-223. */
function isRtp(data: Buffer): boolean {
  const b0 = data[0] ?? 0;
  const b1 = data[1] ?? 0;
  return b0 >= 128 && b0 <= 191 && !(b1 >= 192 && b1 <= 223);
}

/**
 * One receive transport's RTP path. `install` puts it in front of werift's on the transport;
 * `add` registers each consumer's stream by SSRC. RTCP and DTLS stay werift's.
 */
export class LeanReceive {
  readonly #streams = new Map<number, Stream>();
  #dtls: RTCDtlsTransport | undefined;
  #tagLength = 16;
  #peek: SrtpPeek | undefined;
  /** The transport-cc extension's id (mediasoup gives every m-line of a transport the same). */
  #twccId: number | undefined;
  /** Packets decrypted whole (werift), payload starts peeked (srtpPeek.ts), packets counted. */
  decrypted = 0;
  peeked = 0;
  counted = 0;

  /**
   * Hooks werift's `startSrtp` on this transport (called once DTLS is up): from then on every
   * datagram of the nominated ICE pair's UDP socket comes here first, RTP of a registered
   * stream stays here, the rest (STUN, DTLS, RTCP, unknown SSRCs) goes on to werift. Taking
   * the datagram at the socket also skips werift's STUN parse of every packet and two of its
   * events. Idempotent.
   */
  install(dtls: RTCDtlsTransport): void {
    if (this.#dtls) return;
    if (dtls.srtpStarted) throw new Error('SRTP started before the lean receive path');
    this.#dtls = dtls;
    const start = dtls.startSrtp.bind(dtls);
    dtls.startSrtp = () => {
      start();
      const { profile } = dtls.srtp.config;
      this.#tagLength = authTagLength(profile);
      const cipher = dtls.srtp.remoteContext.cipher;
      this.#peek = new SrtpPeek(profile, cipher.srtpSessionKey, cipher.srtpSessionSalt);
      // werift's StunProtocol keeps its socket as `transport` (not in its Protocol typings).
      const pair = dtls.iceTransport.connection.nominated;
      const udp = (pair?.protocol as { transport?: UdpLike } | undefined)?.transport;
      if (!udp) throw new Error('no nominated UDP pair to receive RTP on');
      const werift = udp.onData;
      udp.onData = (data, addr) => {
        if (!this.#handle(data)) werift(data, addr);
      };
    };
  }

  /** Counts `counter`'s consumer, whose RTP arrives with `ssrc` at `receiver`. */
  add(
    ssrc: number,
    kind: Kind,
    receiver: RTCRtpReceiver,
    counter: RtpCounter,
    headerExtensions: { uri: string; id: number }[] = [],
  ): void {
    this.#twccId ??= headerExtensions.find((e) => e.uri === TRANSPORT_CC)?.id;
    const internals = receiver as unknown as ReceiverInternals;
    if (kind === 'video') paceNacks(internals.nack);
    this.#streams.set(ssrc, {
      kind,
      receiver: internals,
      counter,
      stats: undefined,
      roc: new RolloverCounter(),
      authenticated: false,
    });
  }

  /** Stops counting the consumer on `ssrc`; its RTCP feedback goes on. */
  uncount(ssrc: number): void {
    const s = this.#streams.get(ssrc);
    if (s) s.counter = undefined;
  }

  /** True when the datagram was RTP of a registered stream (handled, or dropped as werift would). */
  #handle(data: Buffer): boolean {
    const dtls = this.#dtls;
    if (!dtls || !isRtp(data)) return false;
    const header = parseRtpHeader(data, this.#twccId);
    const stream = header && this.#streams.get(header.ssrc);
    if (!header || !stream) return false; // werift's path: it decrypts, finds no track, drops
    dtls.packetsReceived += 1;
    dtls.bytesReceived += data.length;
    const end = data.length - this.#tagLength;
    let bytes = end - header.payloadOffset;
    let payload: Buffer | undefined;
    const counter = stream.counter;
    const roc = stream.roc.of(header.sequenceNumber);
    if (header.padding || !stream.authenticated) {
      // werift's decryption, authenticated: each stream's first packet proves the keys, and
      // padding's length is in the encrypted last byte.
      let plain: Buffer;
      try {
        plain = dtls.srtp.decrypt(data);
      } catch {
        return true; // not authentic: werift drops it too
      }
      stream.authenticated = true;
      const padding = header.padding ? (plain[plain.length - 1] ?? 0) : 0;
      payload = plain.subarray(header.payloadOffset, plain.length - padding);
      bytes = payload.length;
      this.decrypted += 1;
    } else if (counter?.wantsPayload(header.timestamp) && this.#peek) {
      const { payloadOffset, ssrc, sequenceNumber } = header;
      payload = this.#peek.peek(data, payloadOffset, end, ssrc, sequenceNumber, roc);
      this.peeked += 1;
    }
    this.counted += 1;
    counter?.addHeader(header.sequenceNumber, header.marker, header.timestamp, bytes, payload);
    this.#feedback(stream, header, bytes);
    return true;
  }

  /** A light packet for werift's readers (none keeps it), reused: one less allocation a packet. */
  readonly #light: LightPacket = {
    header: { sequenceNumber: 0, timestamp: 0, ssrc: 0, payloadType: 0, serializeSize: 0 },
    payload: { length: 0 },
  };

  /**
   * What a browser's receiver does with the packet: statistics for its receiver reports,
   * transport-cc, NACK. The stream's first packet goes through werift's handleRTP, which sets
   * its statistics up and starts its report loop; later ones skip the rest of handleRTP
   * (codec lookups, a promise a packet), the same three calls it makes.
   */
  #feedback(stream: Stream, h: RtpHeaderView, bytes: number): void {
    const light = this.#light;
    light.header.sequenceNumber = h.sequenceNumber;
    light.header.timestamp = h.timestamp;
    light.header.ssrc = h.ssrc;
    light.header.payloadType = h.payloadType;
    light.header.serializeSize = h.payloadOffset;
    light.payload.length = bytes;
    const receiver = stream.receiver;
    if (stream.stats) {
      stream.stats.add(light);
      receiver.receiverTWCC?.handleTWCC(h.transportSeq);
    } else {
      const extensions = h.transportSeq === undefined ? {} : { [TRANSPORT_CC]: h.transportSeq };
      receiver.handleRTP(light, extensions, undefined);
      stream.stats = receiver.remoteStreams[h.ssrc];
    }
    // handleRTP NACKs only for a track it hands the packet to; this path hands it to none.
    if (stream.kind === 'video') receiver.nack.addPacket(light);
  }
}
