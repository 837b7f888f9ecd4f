// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01)
// the way a browser sends it, for a bot's receive transport (issue #15).
//
// werift (0.24) keeps one feedback generator per m-line and reports after every 11 packets of
// it, without padding the report to 32 bits: the RTCP length it writes (rounded down) cuts the
// last arrival deltas off. Counted in the bots with the checks of mediasoup's parser, every one
// of its reports failed them, so mediasoup dropped them and its congestion controller ran
// without feedback from bots. With several video m-lines (one transport-wide sequence) each
// would also report the others' packets as its own. Chrome sends one report per transport,
// covering every packet since the previous one (missing ones as not received), on a timer.

/** Chrome's default interval (libwebrtc's TransportSequenceNumberFeedbackGenerator, 100 ms). */
export const FEEDBACK_INTERVAL_MS = 100;

const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;
/** Delta and reference time units, microseconds. */
const DELTA_US = 250;
const REFERENCE_US = 64_000;

export interface Arrival {
  /** Unwrapped transport-wide sequence number. */
  seq: number;
  /** Arrival time, microseconds on any monotonic clock. */
  atUs: number;
}

/**
 * One RTCP transport-cc feedback packet (RTPFB, FMT 15) reporting `base`..highest arrival.
 * `arrivals` sorted by `seq`, all >= `base`, at most one per seq.
 */
export function feedbackPacket(
  senderSsrc: number,
  mediaSsrc: number,
  feedbackCount: number,
  base: number,
  arrivals: Arrival[],
): Buffer {
  const last = arrivals.at(-1);
  const first = arrivals[0];
  if (!first || !last) throw new Error('feedback needs at least one arrival');
  const count = last.seq - base + 1;
  const reference = Math.floor(first.atUs / REFERENCE_US);
  // Deltas from the previous packet's reported (quantized) time, so rounding never drifts.
  let reportedUs = reference * REFERENCE_US;
  const statuses: number[] = new Array<number>(count).fill(NOT_RECEIVED);
  const deltas: Buffer[] = [];
  for (const a of arrivals) {
    const ticks = Math.max(-32768, Math.min(32767, Math.round((a.atUs - reportedUs) / DELTA_US)));
    reportedUs += ticks * DELTA_US;
    const small = ticks >= 0 && ticks <= 255;
    statuses[a.seq - base] = small ? SMALL_DELTA : LARGE_DELTA;
    const d = Buffer.alloc(small ? 1 : 2);
    if (small) d.writeUInt8(ticks);
    else d.writeInt16BE(ticks);
    deltas.push(d);
  }
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32BE(senderSsrc >>> 0, 0);
  fixed.writeUInt32BE(mediaSsrc >>> 0, 4);
  fixed.writeUInt16BE(base & 0xffff, 8);
  fixed.writeUInt16BE(count, 10);
  fixed.writeIntBE(reference & 0x7fffff, 12, 3);
  fixed.writeUInt8(feedbackCount & 0xff, 15);
  const body = Buffer.concat([fixed, statusChunks(statuses), ...deltas]);
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const header = Buffer.alloc(4);
  header.writeUInt8(0x80 | 15, 0); // V=2, no padding bit (zero bytes fill to 32 bits), FMT 15
  header.writeUInt8(205, 1); // RTPFB
  header.writeUInt16BE(padded.length / 4, 2); // length in 32-bit words minus one
  return Buffer.concat([header, padded]);
}

/** Run-length chunks for runs of 7 or more, 2-bit status vector chunks (7 symbols) otherwise. */
export function statusChunks(statuses: number[]): Buffer {
  const chunks: number[] = [];
  let i = 0;
  while (i < statuses.length) {
    const status = statuses[i] ?? NOT_RECEIVED;
    let run = 1;
    while (i + run < statuses.length && statuses[i + run] === status && run < 8191) run++;
    if (run >= 7) {
      chunks.push((status << 13) | run);
      i += run;
      continue;
    }
    let chunk = 0xc000; // T=1 (vector), S=1 (2-bit symbols)
    for (let k = 0; k < 7; k++) chunk |= (statuses[i + k] ?? NOT_RECEIVED) << (12 - 2 * k);
    chunks.push(chunk);
    i += 7;
  }
  const out = Buffer.alloc(chunks.length * 2);
  chunks.forEach((c, k) => out.writeUInt16BE(c, k * 2));
  return out;
}

/** What werift's RTCDtlsTransport offers for sending RTCP (it serializes, then SRTCP). */
interface RtcpSink {
  sendRtcp(packets: { serialize(): Buffer }[]): Promise<unknown>;
}

/**
 * A receive transport's feedback generator. werift's receivers call `handleTWCC(seq)` on every
 * packet that carries the transport-cc extension once this object is their `receiverTWCC`
 * (`attach`); it reports every FEEDBACK_INTERVAL_MS, like Chrome.
 */
export class TransportFeedback {
  /** werift's receivers set this to false when they stop; the transport decides, not them. */
  twccRunning = true;
  #arrivals: Arrival[] = [];
  #highest = -1;
  #base: number | undefined;
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #senderSsrc = 0;

  constructor(private readonly sink: () => RtcpSink | undefined) {}

  /** Makes `receiver` report through this (werift reads `receiverTWCC` on every packet). */
  attach(receiver: object & { rtcpSsrc?: number }): void {
    if (receiver.rtcpSsrc !== undefined && this.#senderSsrc === 0) {
      this.#senderSsrc = receiver.rtcpSsrc;
    }
    (receiver as { receiverTWCC?: unknown }).receiverTWCC = this;
  }

  handleTWCC(seq: unknown): void {
    if (typeof seq !== 'number' || this.#closed) return;
    const unwrapped = this.#unwrap(seq);
    if (this.#base !== undefined && unwrapped < this.#base) return; // already reported
    this.#base ??= unwrapped;
    this.#arrivals.push({ seq: unwrapped, atUs: Math.round(performance.now() * 1000) });
    this.#timer ??= setInterval(() => this.#report(), FEEDBACK_INTERVAL_MS).unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  #unwrap(seq: number): number {
    if (this.#highest < 0) {
      this.#highest = seq;
      return seq;
    }
    const delta = ((seq - this.#highest + 0x8000) & 0xffff) - 0x8000;
    const unwrapped = this.#highest + delta;
    if (unwrapped > this.#highest) this.#highest = unwrapped;
    return unwrapped;
  }

  #report(): void {
    const base = this.#base;
    const sink = this.sink();
    if (base === undefined || this.#arrivals.length === 0 || !sink) return;
    const bySeq = new Map(this.#arrivals.map((a) => [a.seq, a]));
    const arrivals = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    this.#arrivals = [];
    const packet = feedbackPacket(this.#senderSsrc, 0, this.#count++, base, arrivals);
    this.#base = (arrivals.at(-1)?.seq ?? base) + 1;
    // A lost report is like a lost packet on the wire: the next one goes on from here.
    sink.sendRtcp([{ serialize: () => packet }]).catch(() => undefined);
  }
}
