// In-page probes for the walkie-talkie latency bench (issue #16). Everything here is
// serialized into a Chromium page (the tests' tsconfig has no DOM lib: narrow local types).
// Times are epoch ms from `performance.timeOrigin + performance.now()`, so marks taken in two
// Chromium processes on one machine can be subtracted.

/** What the instrumentation records in a team page. */
export interface Mark {
  what: 'pointerdown' | 'floor-request' | 'floor';
  state?: string;
  at: number;
}

interface Stat {
  type: string;
  kind?: string;
  packetsReceived?: number;
  bytesReceived?: number;
  headerBytesReceived?: number;
  packetsSent?: number;
  bytesSent?: number;
  headerBytesSent?: number;
  lastPacketReceivedTimestamp?: number;
  timestamp?: number;
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
}
interface Receiver {
  track: { kind: string };
  jitterBufferTarget: number | null;
}
interface Pc {
  getReceivers(): Receiver[];
  getStats(): Promise<{ forEach(fn: (s: Stat) => void): void }>;
  localDescription: { sdp: string } | null;
  remoteDescription: { sdp: string } | null;
}
interface Level {
  toneDb: number;
  peakDb: number;
}
interface BenchGlobal {
  __bench: { pcs: Pc[]; marks: Mark[] };
  __benchPtime?: string[];
  __benchHeard?: Promise<Heard>;
  __parleyTeam?: { level(channel: string, frequency: number): Level | null };
}

/**
 * An init script for team pages: keeps every RTCPeerConnection (for receiver stats and
 * jitterBufferTarget) and marks pointerdown, `floor-request` sent and `floor` received.
 * Nothing in the app changes: the constructors are subclassed before the app loads.
 */
export function instrumentTeamPage(): void {
  type Ctor = new (...args: unknown[]) => object;
  const g = globalThis as unknown as Record<string, unknown> & BenchGlobal;
  const now = () => performance.timeOrigin + performance.now();
  const bench: BenchGlobal['__bench'] = { pcs: [], marks: [] };
  g.__bench = bench;
  const Pc = g.RTCPeerConnection as Ctor;
  g.RTCPeerConnection = class extends Pc {
    constructor(...args: unknown[]) {
      super(...args);
      bench.pcs.push(this as unknown as Pc);
    }
  };
  const Ws = g.WebSocket as Ctor;
  g.WebSocket = class extends Ws {
    constructor(...args: unknown[]) {
      super(...args);
      const self = this as unknown as {
        addEventListener(t: string, fn: (e: { data: unknown }) => void): void;
      };
      self.addEventListener('message', (e) => {
        if (typeof e.data !== 'string' || !e.data.includes('"floor"')) return;
        const msg = JSON.parse(e.data) as { type?: string; state?: string };
        if (msg.type === 'floor') bench.marks.push({ what: 'floor', state: msg.state, at: now() });
      });
    }
    send(data: unknown): void {
      if (typeof data === 'string' && data.includes('"floor-request"')) {
        bench.marks.push({ what: 'floor-request', at: now() });
      }
      (Ws.prototype as unknown as { send(d: unknown): void }).send.call(this, data);
    }
  };
  const win = g as unknown as { addEventListener(t: string, fn: () => void, c: boolean): void };
  win.addEventListener('pointerdown', () => bench.marks.push({ what: 'pointerdown', at: now() }), true); // prettier-ignore
}

/**
 * An init script for a talker's page: Opus frames of `ms` instead of libwebrtc's default 20,
 * asked for as mediasoup-client's `codecOptions.opusPtime` asks (`ptime=<ms>` in the Opus
 * fmtp of the answer it gives the send transport, which is what configures the encoder).
 * Only remote answers change: the send transport's; the receive transport's remote is an
 * offer. The changed lines are kept in `__benchPtime` (`ptimeLines`).
 */
export function opusPtime(ms: number): void {
  type Desc = { type: string; sdp?: string };
  type Srd = (this: unknown, d: Desc) => Promise<void>;
  const g = globalThis as unknown as BenchGlobal & { RTCPeerConnection: { prototype: object } };
  // Instrumented or not, RTCPeerConnection.prototype is where the app's calls end up.
  const proto = g.RTCPeerConnection.prototype as { setRemoteDescription: Srd };
  const original = proto.setRemoteDescription;
  const changed: string[] = (g.__benchPtime = []);
  proto.setRemoteDescription = function (d: Desc) {
    const pt = /a=rtpmap:(\d+) opus\/48000/i.exec(d.sdp ?? '')?.[1];
    if (d.type !== 'answer' || !d.sdp || !pt) return original.call(this, d);
    const sdp = d.sdp.replace(new RegExp(`(a=fmtp:${pt} [^\\r\\n]*)`), (line) => {
      changed.push(`${line};ptime=${String(ms)}`);
      return `${line};ptime=${String(ms)}`;
    });
    return original.call(this, { type: d.type, sdp });
  };
}

/** The fmtp lines `opusPtime` changed in this page. */
export function ptimeLines(): string[] {
  return (globalThis as unknown as BenchGlobal).__benchPtime ?? [];
}

/**
 * Audio RTP totals of a page (all connections), for packet and bit rates. `at` is when the
 * counts held: the last packet's arrival for what was received (the count between two such
 * times is exact, whatever the page's load makes of the stats call), the stats' own
 * timestamp for what was sent. Epoch ms.
 */
export interface PacketTotals {
  received: RtpTotals;
  sent: RtpTotals;
}
export interface RtpTotals {
  packets: number;
  payloadBytes: number;
  headerBytes: number;
  at: number;
}

export async function packetTotals(): Promise<PacketTotals> {
  const zero = (): RtpTotals => ({ packets: 0, payloadBytes: 0, headerBytes: 0, at: 0 });
  const t: PacketTotals = { received: zero(), sent: zero() };
  for (const pc of (globalThis as unknown as BenchGlobal).__bench.pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') {
        t.received.packets += s.packetsReceived ?? 0;
        t.received.payloadBytes += s.bytesReceived ?? 0;
        t.received.headerBytes += s.headerBytesReceived ?? 0;
        t.received.at = Math.max(t.received.at, s.lastPacketReceivedTimestamp ?? 0);
      } else if (s.type === 'outbound-rtp') {
        t.sent.packets += s.packetsSent ?? 0;
        t.sent.payloadBytes += s.bytesSent ?? 0;
        t.sent.headerBytes += s.headerBytesSent ?? 0;
        t.sent.at = Math.max(t.sent.at, s.timestamp ?? 0);
      }
    });
  }
  return t;
}

/** What a listener's page saw after `armListener`. NaN: not seen before the timeout. */
export interface Heard {
  armedAt: number;
  /** The first RTP packet of the channel arrived (receiver stats, see `armListener`). */
  firstPacketAt: number;
  /** The tone crossed the threshold in the channel's AnalyserNode. */
  heardAt: number;
  toneDb: number;
}

export interface DetectArgs {
  channel: string;
  frequency: number;
  thresholdDb: number;
  timeoutMs: number;
  /** Ptime of the stream, ms: backs a first packet's time out of a batch seen in one poll. */
  ptimeMs: number;
}

/**
 * Starts watching a listener's channel: its analyser every 2 ms (the app's own, after the
 * channel's gain, via `__parleyTeam.level`), its receiver stats every 10 ms. The first packet's
 * arrival is the stats' `lastPacketReceivedTimestamp` of the first poll that shows new
 * packets, less a ptime for each further packet in that poll (they come at the ptime), never
 * earlier than the poll before. `listenerHeard` returns the result.
 */
export function armListener(args: DetectArgs): void {
  const g = globalThis as unknown as BenchGlobal;
  const now = () => performance.timeOrigin + performance.now();
  const packets = async (): Promise<{ n: number; last: number }> => {
    let n = 0;
    let last = 0;
    for (const pc of g.__bench.pcs) {
      (await pc.getStats()).forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        n += s.packetsReceived ?? 0;
        last = Math.max(last, s.lastPacketReceivedTimestamp ?? 0);
      });
    }
    return { n, last };
  };
  const heard: Heard = { armedAt: now(), firstPacketAt: NaN, heardAt: NaN, toneDb: NaN };
  g.__benchHeard = packets().then(
    (base) =>
      new Promise<Heard>((resolve) => {
        let prevPoll = now();
        let polling = false;
        const poll = async () => {
          if (polling || !Number.isNaN(heard.firstPacketAt)) return;
          polling = true;
          const at = now();
          const p = await packets();
          if (p.n > base.n && Number.isNaN(heard.firstPacketAt)) {
            const back = p.last - (p.n - base.n - 1) * args.ptimeMs;
            heard.firstPacketAt = Math.min(at, Math.max(prevPoll, back));
          }
          prevPoll = at;
          polling = false;
        };
        const stats = setInterval(() => void poll(), 10);
        const level = setInterval(() => {
          const l = g.__parleyTeam?.level(args.channel, args.frequency);
          const done = now() - heard.armedAt > args.timeoutMs;
          if (l && l.toneDb > args.thresholdDb && l.toneDb >= l.peakDb - 6) {
            heard.heardAt = now();
            heard.toneDb = l.toneDb;
          } else if (!done) return;
          clearInterval(level);
          // Packets came before the sound: one last poll catches a first packet not yet seen.
          void poll().then(() => {
            clearInterval(stats);
            resolve(heard);
          });
        }, 2);
      }),
  );
}

export function listenerHeard(): Promise<Heard> {
  const g = globalThis as unknown as BenchGlobal;
  if (!g.__benchHeard) throw new Error('armListener first');
  return g.__benchHeard;
}

/** Resolves once the channel has been below the threshold for `quietMs` (or after 10 s). */
export async function listenerQuiet(args: {
  channel: string;
  frequency: number;
  thresholdDb: number;
  quietMs: number;
}): Promise<boolean> {
  const g = globalThis as unknown as BenchGlobal;
  const start = performance.now();
  let since = start;
  while (performance.now() - since < args.quietMs) {
    if (performance.now() - start > 10_000) return false;
    const l = g.__parleyTeam?.level(args.channel, args.frequency);
    if (!l || l.toneDb > args.thresholdDb) since = performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Marks recorded in a page since `from` (epoch ms). */
export function marksSince(from: number): Mark[] {
  return (globalThis as unknown as BenchGlobal).__bench.marks.filter((m) => m.at >= from);
}

/** Sets jitterBufferTarget (ms; null: the browser's default) on every audio receiver. */
export function setJitterTarget(ms: number | null): number {
  let n = 0;
  for (const pc of (globalThis as unknown as BenchGlobal).__bench.pcs) {
    for (const r of pc.getReceivers()) {
      if (r.track.kind !== 'audio') continue;
      r.jitterBufferTarget = ms;
      n += 1;
    }
  }
  return n;
}

/** Cumulative jitter buffer delay and emitted samples of the audio receivers (inbound-rtp). */
export async function jitterTotals(): Promise<{ delayS: number; emitted: number }> {
  let delayS = 0;
  let emitted = 0;
  for (const pc of (globalThis as unknown as BenchGlobal).__bench.pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      delayS += s.jitterBufferDelay ?? 0;
      emitted += s.jitterBufferEmittedCount ?? 0;
    });
  }
  return { delayS, emitted };
}

/** The Opus-related SDP lines (rtpmap, fmtp, ptime) of every connection, deduplicated. */
export function opusSdpLines(): string[] {
  const lines = new Set<string>();
  for (const pc of (globalThis as unknown as BenchGlobal).__bench.pcs) {
    for (const [side, d] of [
      ['local', pc.localDescription],
      ['remote', pc.remoteDescription],
    ] as const) {
      // prettier-ignore
      const sdp = d?.sdp ?? '';
      // Every Opus payload type: a description may map Opus to more than one (per m-line).
      const pts = [...sdp.matchAll(/a=rtpmap:(\d+) opus\/48000/gi)].map((m) => m[1]);
      for (const line of sdp.split('\r\n')) {
        if (pts.some((pt) => line.startsWith(`a=fmtp:${pt} `)) || /^a=(max)?ptime:/.test(line)) {
          lines.add(`${side}: ${line}`);
        }
      }
    }
  }
  return [...lines];
}
