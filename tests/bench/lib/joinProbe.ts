// Instruments a page from outside the app (a Playwright init script, no app code touched) to
// time a join: the Join submit, the signaling WebSocket's open, its `welcome` and `joined`
// replies, every signaling message, each RTCPeerConnection's offer/answer, ICE and DTLS
// `connected`, and the first video frame a remote tile presents (requestVideoFrameCallback,
// with the arrival time of that frame's last packet). Stamps are the page's performance.now();
// `timeOrigin` puts pages on one clock.

import type { Page } from 'playwright-core';

export interface PcMarks {
  created: number;
  /** Offer/answer done: signalingState back to `stable` with a remote description. */
  negotiated?: number;
  /** iceConnectionState `checking`: connectivity checks started. */
  checking?: number;
  /** iceConnectionState first `connected` or `completed`. */
  ice?: number;
  /** connectionState first `connected`: DTLS done on top of ICE. */
  dtls?: number;
}

export interface FrameMark {
  /** requestVideoFrameCallback ran: the frame goes to the compositor. */
  at: number;
  /** When the last packet of that frame arrived (rVFC metadata, WebRTC sources). */
  received?: number;
  peer: string;
  /** Index in `pcs` of the connection whose receiver carries the track. */
  pc: number;
  /** The track's inbound-rtp counters just after that frame (read asynchronously). */
  inbound?: { packetsReceived: number; bytesReceived: number; pliCount: number; firCount: number }; // prettier-ignore
}

export interface JoinMarks {
  /** performance.timeOrigin of the page (epoch ms). */
  timeOrigin: number;
  submit?: number;
  wsOpen?: number;
  welcome?: number;
  joined?: number;
  /** Signaling messages until the first frame: `-> type` sent, `<- type` received. */
  messages: { at: number; message: string }[];
  pcs: PcMarks[];
  /** First presented frame of each remote tile <video>. */
  frames: FrameMark[];
}

/** Runs in the page before the app (no DOM lib in the tests' tsconfig: narrow local types). */
export function joinProbeScript(): void {
  type Listener = (e: { data?: unknown }) => void;
  type Target = { addEventListener(type: string, fn: Listener, capture?: boolean): void };
  type Pc = Target & {
    iceConnectionState: string;
    connectionState: string;
    signalingState: string;
    remoteDescription: unknown;
    getReceivers(): { track: { id: string } | null; getStats(): Promise<Iterable<[string, Stat]>> }[]; // prettier-ignore
  };
  type Stat = { type: string } & Record<string, number>;
  type Video = Target & {
    dataset: Record<string, string | undefined>;
    srcObject: { getVideoTracks(): { id: string }[] } | null;
    requestVideoFrameCallback(cb: (now: number, meta: { receiveTime?: number }) => void): number;
  };
  type Ctor<T> = new (...args: never[]) => T;
  type Wire = {
    type?: string;
    kind?: string;
    consumerId?: string;
    rid?: number;
    data?: { signal?: { type?: string; candidate?: unknown } };
  };
  const g = globalThis as unknown as Target & {
    WebSocket: Ctor<Target>;
    RTCPeerConnection: Ctor<Pc>;
    document: Target & { querySelectorAll(s: string): Iterable<Video> };
    MutationObserver: new (cb: () => void) => { observe(n: unknown, o: object): void };
    __joinMarks?: JoinMarks;
    __joinProbeReset?: () => void;
  };
  const now = (): number => performance.now();
  const marks: JoinMarks = { timeOrigin: performance.timeOrigin, messages: [], pcs: [], frames: [] }; // prettier-ignore
  g.__joinMarks = marks;
  const pcs: Pc[] = [];
  /** For a page already in the call: forget the past, record the next join as seen from here. */
  g.__joinProbeReset = () => {
    marks.messages.length = 0;
    marks.frames.length = 0;
  };
  g.addEventListener('submit', () => void (marks.submit ??= now()), true);

  const kinds: Record<string, string> = {};
  const requestKinds: Record<number, string> = {};
  /** `signal` messages carry an SDP type or a candidate (simple-peer's payload in an envelope). */
  const describe = (arrow: string, msg: Wire): string => {
    const signal = msg.data?.signal;
    // Consumer messages carry their kind (from the `sfu-consumer` reply that named the id).
    if (msg.consumerId && msg.kind) kinds[msg.consumerId] = msg.kind;
    const asked = arrow === '<-' && msg.rid !== undefined ? requestKinds[msg.rid] : undefined;
    const kind = msg.kind ?? (msg.consumerId ? kinds[msg.consumerId] : undefined) ?? asked;
    // A reply (same rid) names the kind its request was about.
    if (arrow === '->' && msg.rid !== undefined && kind) requestKinds[msg.rid] = kind;
    if (msg.type !== 'signal') return `${msg.type ?? '?'}${kind ? ` ${kind}` : ''}`;
    return `signal ${signal?.type ?? (signal?.candidate ? 'candidate' : 'note')}`;
  };
  // Until the first frame (and at most 100): the timeline of the join, not of the call after.
  const log = (arrow: string, data: unknown): Wire | undefined => {
    if (typeof data !== 'string' || marks.frames.length > 0 || marks.messages.length >= 100) {
      return undefined;
    }
    const msg = JSON.parse(data) as Wire;
    marks.messages.push({ at: now(), message: `${arrow} ${describe(arrow, msg)}` });
    return msg;
  };

  const NativeWs = g.WebSocket;
  g.WebSocket = class extends NativeWs {
    constructor(...args: never[]) {
      super(...args);
      this.addEventListener('open', () => void (marks.wsOpen ??= now()));
      this.addEventListener('message', (e) => {
        const type = log('<-', e.data)?.type;
        if (type === 'welcome') marks.welcome ??= now();
        if (type === 'joined') marks.joined ??= now();
      });
    }
    send(data: never): void {
      log('->', data);
      (NativeWs.prototype as unknown as { send(d: unknown): void }).send.call(this, data);
    }
  };

  const NativePc = g.RTCPeerConnection;
  g.RTCPeerConnection = class extends NativePc {
    constructor(...args: never[]) {
      super(...args);
      const m: PcMarks = { created: now() };
      marks.pcs.push(m);
      pcs.push(this);
      this.addEventListener('signalingstatechange', () => {
        if (this.signalingState === 'stable' && this.remoteDescription) m.negotiated ??= now();
      });
      this.addEventListener('iceconnectionstatechange', () => {
        const s = this.iceConnectionState;
        if (s === 'checking') m.checking ??= now();
        if (s === 'connected' || s === 'completed') m.ice ??= now();
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') m.dtls ??= now();
      });
    }
  };

  const watched = new Set<Video>();
  const watch = (video: Video): void => {
    if (watched.has(video)) return;
    watched.add(video);
    video.requestVideoFrameCallback((_, meta) => {
      const at = now();
      const trackId = video.srcObject?.getVideoTracks()[0]?.id;
      const pc = pcs.findIndex((p) => p.getReceivers().some((r) => r.track?.id === trackId));
      const frame: FrameMark = { at, received: meta.receiveTime, peer: video.dataset.tilePeer ?? '', pc }; // prettier-ignore
      marks.frames.push(frame);
      const receiver = pcs[pc]?.getReceivers().find((r) => r.track?.id === trackId);
      void receiver?.getStats().then((report) => {
        for (const [, s] of report) {
          if (s.type !== 'inbound-rtp') continue;
          const { packetsReceived = 0, bytesReceived = 0, pliCount = 0, firCount = 0 } = s;
          frame.inbound = { packetsReceived, bytesReceived, pliCount, firCount };
        }
      });
    });
  };
  const scan = (): void => {
    for (const v of g.document.querySelectorAll('video[data-tile-peer]')) watch(v);
  };
  new g.MutationObserver(scan).observe(g.document, { subtree: true, childList: true });
}

type ProbeWindow = { __joinMarks?: JoinMarks; __joinProbeReset?: () => void };

/** Waits (in the page, no polling from here) for the first remote frame; returns the marks. */
export async function waitForFirstFrame(page: Page, timeoutMs = 30_000): Promise<JoinMarks> {
  await page.waitForFunction(
    () => ((globalThis as ProbeWindow).__joinMarks?.frames.length ?? 0) > 0,
    undefined,
    { timeout: timeoutMs, polling: 'raf' },
  );
  // Its receiver's counters come a moment later (getStats is asynchronous).
  await page
    .waitForFunction(() => (globalThis as ProbeWindow).__joinMarks?.frames[0]?.inbound, undefined, {
      timeout: 1000,
    })
    .catch(() => undefined);
  return readMarks(page);
}

export async function readMarks(page: Page): Promise<JoinMarks> {
  const marks = await page.evaluate(() => (globalThis as ProbeWindow).__joinMarks);
  if (!marks) throw new Error('the page has no join probe');
  return marks;
}

/** On a page already in the call: start a fresh record (for the next peer's join). */
export async function resetProbe(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as ProbeWindow).__joinProbeReset?.());
}

/** One join's milestones, ms after the Join submit (NaN: not seen). */
export interface JoinTimes {
  wsOpen: number;
  welcome: number;
  joined: number;
  /** The peer connection that carried the first frame: created, offer/answer done, checks. */
  pcCreated: number;
  negotiated: number;
  iceChecking: number;
  ice: number;
  dtls: number;
  /** The first frame's last packet arrived. */
  frameReceived: number;
  firstFrame: number;
  /** Peer connections the page had opened by its first frame. */
  pcs: number;
}

/** The first frame's mark, or throws with what was recorded. */
export function firstFrame(m: JoinMarks): FrameMark {
  const frame = [...m.frames].sort((a, b) => a.at - b.at)[0];
  if (m.submit === undefined || !frame) throw new Error(`incomplete marks: ${JSON.stringify(m)}`);
  return frame;
}

/**
 * Milestones relative to the submit. ICE and DTLS are those of the connection that carried the
 * first frame (SFU: the receive transport; mesh: the link to the peer shown first).
 */
export function joinTimes(m: JoinMarks): JoinTimes {
  const frame = firstFrame(m);
  const t0 = m.submit ?? Number.NaN;
  const pc = m.pcs[frame.pc] ?? m.pcs.find((p) => p.dtls !== undefined);
  const rel = (t: number | undefined): number => (t === undefined ? Number.NaN : t - t0);
  return {
    wsOpen: rel(m.wsOpen),
    welcome: rel(m.welcome),
    joined: rel(m.joined),
    pcCreated: rel(pc?.created),
    negotiated: rel(pc?.negotiated),
    iceChecking: rel(pc?.checking),
    ice: rel(pc?.ice),
    dtls: rel(pc?.dtls),
    frameReceived: rel(frame.received),
    firstFrame: rel(frame.at),
    pcs: m.pcs.length,
  };
}

/**
 * When a page first logged `message` (or `message` and a kind), in ms after this join's submit,
 * both pages' clocks aligned through their timeOrigin; NaN when it never did.
 */
export function remoteAt(joiner: JoinMarks, other: JoinMarks, message: string): number {
  // `-> sfu-consumer-pause` also matches `-> sfu-consumer-pause audio` (the kind is appended).
  const entry = other.messages.find(
    (e) => e.message === message || e.message.startsWith(`${message} `),
  );
  if (!entry || joiner.submit === undefined) return Number.NaN;
  return other.timeOrigin + entry.at - (joiner.timeOrigin + joiner.submit);
}
