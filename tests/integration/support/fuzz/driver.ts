import fc from 'fast-check';
import WebSocket from 'ws';
import { ERROR_CODES, parseClientMessage, parseServerMessage } from '@parley/protocol';
import type { ClientMessage, ErrorCode, ParseResult, ServerMessage } from '@parley/protocol';
import type { Frame } from './frames.ts';

/** What one fuzzed connection saw. Small on purpose: counters and the first few anomalies. */
export interface Tally {
  label: string;
  /** Frames sent (valid messages that would have changed the connection's state are skipped). */
  sent: number;
  skipped: number;
  /**
   * Frames sent that the protocol refuses: schema failures, bad JSON, binary frames, and frames
   * its parser throws on. Only these count towards a run's `count`.
   */
  malformed: number;
  /** Frames the protocol's own parser refuses, by the code the server must answer with. */
  expected: Partial<Record<ErrorCode, number>>;
  /** Frames that are valid messages, in all and by type. */
  valid: number;
  validTypes: Record<string, number>;
  /**
   * Frames on which the protocol's own parser throws instead of answering (it promises never
   * to): the server owes each a BAD_JSON or BAD_MESSAGE all the same.
   */
  unparseable: number;
  /** Server messages received (our own requests' replies aside), by type, and errors by code. */
  replies: number;
  types: Record<string, number>;
  codes: Partial<Record<ErrorCode, number>>;
  /** Replies that fail ServerMessageSchema, INTERNAL errors, unknown codes (first 10 each). */
  anomalies: string[];
  /** The socket closed while the fuzz expected it open. */
  closed: { code: number; reason: string } | undefined;
  /** Why the run ended early: the server stopped answering, or the run was stopped. */
  stalled: string | undefined;
}

export interface FuzzRunOptions {
  frames: fc.Arbitrary<Frame>;
  seed: number;
  /** How many malformed frames to send in all (valid ones go along and are not counted). */
  count: number;
  /** Valid messages that would move the connection out of the state under test. */
  skip?: (message: ClientMessage) => boolean;
  /** Frames between two barriers; two batches are in flight at a time. */
  batch?: number;
  /** Settles when the run should end at once (the process saw an uncaught failure). */
  stop?: Promise<unknown>;
}

/** What the server should make of a text frame, by the protocol's parser; undefined if it throws. */
function expectation(text: string): ParseResult<ClientMessage> | undefined {
  try {
    // What the server reads: lone surrogates do not survive encoding to UTF-8.
    return parseClientMessage(Buffer.from(text, 'utf8').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Our own request ids start far above the generators' (which are 31-bit, though a mutated rid
 * can be any number); only ids we are waiting for are taken out of the fuzz's counts.
 */
const OWN_RID_BASE = 2 ** 45;
const ALL_CODES = new Set<string>(Object.values(ERROR_CODES));

/**
 * A raw WebSocket that pipelines fuzz frames. After each batch it sends a `ping` barrier: the
 * server handles one socket's messages in order, so the barrier's answer (a pong, or an error
 * carrying its rid) means every frame before it has been dealt with. That bounds what is in
 * flight without waiting for each reply, and lets the heartbeat's pongs through.
 */
export class FuzzSocket {
  readonly tally: Tally;
  /** Our own requests (setup and barriers) awaiting the reply with their rid. */
  #pending = new Map<number, (m: ServerMessage | undefined) => void>();
  #nextRid = OWN_RID_BASE;
  /** Recent frames by rid, so an anomalous reply can name the frame that caused it. */
  #recent = new Map<number, string>();
  #closedWaiters: ((c: { code: number; reason: string }) => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    label: string,
  ) {
    this.tally = {
      label,
      sent: 0,
      skipped: 0,
      malformed: 0,
      expected: {},
      valid: 0,
      validTypes: {},
      unparseable: 0,
      replies: 0,
      types: {},
      codes: {},
      anomalies: [],
      closed: undefined,
      stalled: undefined,
    };
    ws.on('message', (data: Buffer, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code, reason) => {
      const closed = { code, reason: reason.toString() };
      this.tally.closed = closed;
      for (const w of this.#closedWaiters) w(closed);
      for (const settle of this.#pending.values()) settle(undefined);
      this.#pending.clear();
    });
  }

  static async open(url: string, label: string): Promise<FuzzSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new FuzzSocket(ws, label);
  }

  /** Sends a request and resolves with the message that carries its rid. */
  request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<ServerMessage> {
    const rid = this.#nextRid++;
    const reply = this.#awaitRid(rid, timeoutMs);
    this.ws.send(JSON.stringify({ ...message, rid }));
    return reply;
  }

  /** The message carrying `rid`, which is then not counted as a fuzz reply. */
  #awaitRid(rid: number, timeoutMs: number): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(rid);
        reject(new Error(`${this.tally.label}: request ${rid} not answered in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(rid, (m) => {
        clearTimeout(timer);
        if (m) resolve(m);
        else reject(new Error(`${this.tally.label}: closed before answering request ${rid}`));
      });
    });
  }

  /**
   * Sends frames until `count` malformed ones have gone (counting earlier runs), batch by batch,
   * each batch from its own derived seed. Never rejects: a batch the server does not answer ends the run and is noted
   * in `tally.stalled`, as is `stop` settling (the process saw a failure: no use going on).
   */
  async run(options: FuzzRunOptions): Promise<void> {
    const batch = options.batch ?? 250;
    let inFlight: Promise<void> | undefined;
    for (let round = 0; this.tally.malformed < options.count && this.#healthy(); round++) {
      const seed = (options.seed * 31 + round) | 0;
      for (const frame of fc.sample(options.frames, { seed, numRuns: batch })) {
        if (this.tally.malformed >= options.count) break;
        this.#send(frame, options.skip);
      }
      const barrier = this.#barrier(options.stop);
      if (inFlight) await inFlight;
      inFlight = barrier;
    }
    await inFlight;
  }

  /** Resolves once the server has handled everything sent so far (or the socket stalled). */
  drain(stop?: Promise<unknown>): Promise<void> {
    return this.#barrier(stop);
  }

  #healthy(): boolean {
    return !this.tally.closed && this.tally.stalled === undefined;
  }

  /** Closes, or terminates a socket whose server no longer answers the close handshake. */
  close(graceMs = 2_000): Promise<{ code: number; reason: string }> {
    if (this.tally.closed) return Promise.resolve(this.tally.closed);
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      this.#closedWaiters.push(r),
    );
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), graceMs);
    return closed.finally(() => clearTimeout(timer));
  }

  #send(frame: Frame, skip: FuzzRunOptions['skip']): void {
    const t = this.tally;
    if (frame.binary) {
      t.expected.BAD_MESSAGE = (t.expected.BAD_MESSAGE ?? 0) + 1;
      t.malformed++;
      this.ws.send(frame.data, { binary: true });
      t.sent++;
      return;
    }
    const parsed = expectation(frame.data);
    if (!parsed) {
      t.unparseable++;
      t.malformed++;
      this.ws.send(frame.data);
      t.sent++;
      return;
    }
    const rid = parsed.ok ? parsed.message.rid : parsed.rid;
    if (rid !== undefined) this.#remember(rid, frame.data);
    if (parsed.ok) {
      if (skip?.(parsed.message)) {
        t.skipped++;
        return;
      }
      t.valid++;
      t.validTypes[parsed.message.type] = (t.validTypes[parsed.message.type] ?? 0) + 1;
    } else {
      t.expected[parsed.code] = (t.expected[parsed.code] ?? 0) + 1;
      t.malformed++;
    }
    this.ws.send(frame.data);
    t.sent++;
  }

  #barrier(stop?: Promise<unknown>, timeoutMs = 15_000): Promise<void> {
    if (!this.#healthy()) return Promise.resolve();
    const answered = this.request({ type: 'ping' }, timeoutMs).then(
      () => undefined,
      (error: unknown) => {
        // A closed socket is reported through `tally.closed`.
        if (!this.tally.closed) this.tally.stalled ??= String(error);
      },
    );
    if (!stop) return answered;
    const stopped = stop.then(() => {
      this.tally.stalled ??= 'stopped: the process saw a failure';
    });
    return Promise.race([answered, stopped]);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    const t = this.tally;
    const text = data.toString('utf8');
    const parsed = isBinary ? undefined : parseServerMessage(text);
    if (!parsed?.ok) {
      this.#anomaly(`off-contract${isBinary ? ' binary' : ''}: ${text.slice(0, 300)}`);
      return;
    }
    const message = parsed.message;
    const waiter = 'rid' in message && message.rid !== undefined && this.#pending.get(message.rid);
    if (waiter) {
      this.#pending.delete((message as { rid: number }).rid);
      waiter(message);
      return;
    }
    t.replies++;
    t.types[message.type] = (t.types[message.type] ?? 0) + 1;
    if (message.type !== 'error') return;
    t.codes[message.code] = (t.codes[message.code] ?? 0) + 1;
    if (message.code === ERROR_CODES.INTERNAL || !ALL_CODES.has(message.code)) {
      const cause = message.rid === undefined ? undefined : this.#recent.get(message.rid);
      this.#anomaly(`${text.slice(0, 300)}${cause ? ` caused by ${cause}` : ''}`);
    }
  }

  #remember(rid: number, frame: string): void {
    this.#recent.set(rid, frame.slice(0, 300));
    if (this.#recent.size > 1000) this.#recent.delete(this.#recent.keys().next().value as number);
  }

  #anomaly(line: string): void {
    if (this.tally.anomalies.length < 10) this.tally.anomalies.push(line);
  }
}
