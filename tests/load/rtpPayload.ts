// RTP payload formats the bots speak: VP8 (RFC 7741) in and out, Opus as is (RFC 7587).

/** Payload bytes per packet: under a 1200-byte MTU with SRTP, headers and extensions. */
export const MAX_PAYLOAD = 1100;

/**
 * One VP8 frame as RTP payloads, each with the descriptor Chrome sends: X=1, S on the first,
 * PID 0, and a 15-bit picture id (I=1, M=1). The caller sets the marker on the last one.
 */
export function vp8Payloads(frame: Buffer, pictureId: number, max = MAX_PAYLOAD): Buffer[] {
  const chunk = max - 4;
  const out: Buffer[] = [];
  for (let at = 0; at < frame.length || at === 0; at += chunk) {
    const head = Buffer.from([
      0x80 | (at === 0 ? 0x10 : 0),
      0x80,
      0x80 | ((pictureId >> 8) & 0x7f),
      pictureId & 0xff,
    ]);
    out.push(Buffer.concat([head, frame.subarray(at, at + chunk)]));
    if (frame.length === 0) break;
  }
  return out;
}

/** Length of a VP8 payload descriptor (RFC 7741 4.2), or -1 when the payload is too short. */
function descriptorLength(p: Buffer): number {
  const b0 = p[0];
  if (b0 === undefined) return -1;
  if ((b0 & 0x80) === 0) return 1;
  const b1 = p[1];
  if (b1 === undefined) return -1;
  let n = 2;
  if (b1 & 0x80) n += ((p[n] ?? 0) & 0x80) !== 0 ? 2 : 1;
  if (b1 & 0x40) n += 1;
  if (b1 & 0x30) n += 1;
  return n <= p.length ? n : -1;
}

/** True when this VP8 RTP payload starts a frame: the first packet of partition 0 (S=1, PID=0). */
export function isVp8FrameStart(payload: Buffer): boolean {
  const b0 = payload[0];
  return b0 !== undefined && (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
}

/**
 * True when this VP8 RTP payload starts a keyframe: the first packet of partition 0 (S=1,
 * PID=0) whose frame tag has the inverse key-frame bit clear (RFC 7741 4.3, RFC 6386 9.1).
 */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  if (!isVp8FrameStart(payload)) return false;
  const n = descriptorLength(payload);
  const tag = n < 0 ? undefined : payload[n];
  return tag !== undefined && (tag & 0x01) === 0;
}

/**
 * The picture size a VP8 keyframe's first RTP payload announces (RFC 6386 9.1: after the
 * 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height, little endian,
 * under 2 scaling bits each), or undefined when this payload does not start a keyframe.
 */
export function vp8KeyframeSize(payload: Buffer): { width: number; height: number } | undefined {
  if (!isVp8KeyframeStart(payload)) return undefined;
  const n = descriptorLength(payload);
  if (payload.length < n + 10) return undefined;
  if (payload.readUIntBE(n + 3, 3) !== 0x9d012a) return undefined;
  return {
    width: payload.readUInt16LE(n + 6) & 0x3fff,
    height: payload.readUInt16LE(n + 8) & 0x3fff,
  };
}
