import { background } from '../util/background.ts';
import type { Probe } from './verdict.ts';

/**
 * The pre-join connection check's network probes (issue 20), with plain RTCPeerConnections and
 * no UI. Everything is relay-only (`iceTransportPolicy: 'relay'`): what is tested is the path
 * to the TURN server, the one a call falls back to when direct paths are blocked.
 */

export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** How long a TURN allocation may take before the transport counts as blocked. */
const GATHER_TIMEOUT_MS = 5000;
/** How long the relay-only pair may take to connect and open its data channel. */
const CONNECT_TIMEOUT_MS = 8000;
/** The uplink estimate sends for this long, or until UPLINK_MAX_BYTES, whichever comes first. */
const UPLINK_MS = 2000;
const UPLINK_MAX_BYTES = 2 * 1024 * 1024;
const CHUNK_BYTES = 16 * 1024;
/** Keep the sender's buffer shallow, so the time measured is the network's, not a queue's. */
const MAX_BUFFERED = 256 * 1024;

/** Which transport a TURN URL uses: `turns:` is TLS, else its `?transport=` (UDP by default). */
export function turnTransportOf(url: string): TurnTransport | undefined {
  const lower = url.toLowerCase();
  if (lower.startsWith('turns:')) return 'tls';
  if (!lower.startsWith('turn:')) return undefined;
  return /[?&]transport=tcp\b/.test(lower) ? 'tcp' : 'udp';
}

/** The ICE servers restricted to TURN URLs of one transport (empty when there are none). */
export function turnServersFor(servers: RTCIceServer[], transport: TurnTransport): RTCIceServer[] {
  const out: RTCIceServer[] = [];
  for (const s of servers) {
    const urls = (Array.isArray(s.urls) ? s.urls : [s.urls]).filter(
      (u) => turnTransportOf(u) === transport,
    );
    if (urls.length > 0) out.push({ ...s, urls });
  }
  return out;
}

const relayOnly = (iceServers: RTCIceServer[]): RTCConfiguration => ({
  iceServers,
  iceTransportPolicy: 'relay',
});

/** Resolves true once `pc` gathers a relay candidate, false when gathering ends or times out. */
function relayCandidate(pc: RTCPeerConnection, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate?.type === 'relay' || / typ relay /.test(e.candidate?.candidate ?? '')) {
        clearTimeout(timer);
        resolve(true);
      } else if (!e.candidate) {
        clearTimeout(timer);
        resolve(false);
      }
    });
  });
}

/** Whether TURN over `transport` gives us a relay address (`off` when none is configured). */
export async function probeTurn(servers: RTCIceServer[], transport: TurnTransport): Promise<Probe> {
  const only = turnServersFor(servers, transport);
  if (only.length === 0) return 'off';
  const pc = new RTCPeerConnection(relayOnly(only));
  try {
    pc.createDataChannel('probe');
    const gathered = relayCandidate(pc, GATHER_TIMEOUT_MS);
    await pc.setLocalDescription(await pc.createOffer());
    return (await gathered) ? 'ok' : 'failed';
  } finally {
    pc.close();
  }
}

export interface RelayLoop {
  relayData: Probe;
  /** Throughput through the relay, kbit/s, when `measure` was asked and data passed. */
  kbps?: number;
}

/**
 * Two relay-only connections in this page, joined through the TURN server, pass data: proof
 * that the relay relays. With `measure`, a short burst gives a throughput figure. Each byte
 * goes up to the relay and comes back down at the same time, so the figure is a lower bound of
 * the uplink (on most home and mobile links the uplink is the narrower one anyway).
 */
export async function relayLoop(servers: RTCIceServer[], measure: boolean): Promise<RelayLoop> {
  if (servers.length === 0) return { relayData: 'off' };
  const a = new RTCPeerConnection(relayOnly(servers));
  const b = new RTCPeerConnection(relayOnly(servers));
  try {
    const toB = trickle(a, b);
    const toA = trickle(b, a);
    const send = a.createDataChannel('probe', { ordered: true });
    const received = new Promise<RTCDataChannel>((resolve) =>
      b.addEventListener('datachannel', (e) => resolve(e.channel)),
    );
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
    toB.ready();
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
    toA.ready();
    const opened = new Promise<void>((resolve) => send.addEventListener('open', () => resolve()));
    const connected = await withTimeout(Promise.all([opened, received]), CONNECT_TIMEOUT_MS);
    if (!connected) return { relayData: 'failed' };
    const [, recv] = connected;
    if (!measure) return { relayData: 'ok' };
    const kbps = await throughput(send, recv);
    return kbps === undefined ? { relayData: 'failed' } : { relayData: 'ok', kbps };
  } finally {
    a.close();
    b.close();
  }
}

/**
 * Hands `from`'s candidates to `to`, holding them until `ready()` (when `to` has its remote
 * description: a candidate before that is refused). One refused candidate only costs that
 * path; the connect timeout says the rest.
 */
function trickle(from: RTCPeerConnection, to: RTCPeerConnection): { ready(): void } {
  let held: (RTCIceCandidate | null)[] | undefined = [];
  const add = (c: RTCIceCandidate | null) => {
    if (to.signalingState === 'closed') return;
    background(to.addIceCandidate(c ?? undefined), 'connection check: candidate');
  };
  from.addEventListener('icecandidate', (e) => {
    if (held) held.push(e.candidate);
    else add(e.candidate);
  });
  return {
    ready() {
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach(add);
    },
  };
}

/**
 * Sends for UPLINK_MS; kbit/s as received on the other side, from the start of the send to the
 * last arrival (undefined: nothing arrived). A slow link delivers only a few chunks in that
 * time, and each counts: one at 150 kbit/s takes most of a second.
 */
async function throughput(send: RTCDataChannel, recv: RTCDataChannel): Promise<number | undefined> {
  let bytes = 0;
  let last = 0;
  recv.addEventListener('message', (e: MessageEvent<ArrayBuffer | string>) => {
    bytes += typeof e.data === 'string' ? e.data.length : e.data.byteLength;
    last = performance.now();
  });
  const chunk = new Uint8Array(CHUNK_BYTES);
  const start = performance.now();
  let sent = 0;
  send.bufferedAmountLowThreshold = MAX_BUFFERED / 2;
  while (performance.now() - start < UPLINK_MS && sent < UPLINK_MAX_BYTES) {
    if (send.bufferedAmount > MAX_BUFFERED) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        send.addEventListener(
          'bufferedamountlow',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      continue;
    }
    send.send(chunk);
    sent += CHUNK_BYTES;
  }
  // What is still in flight when sending stops is not counted: give it a moment to land.
  await new Promise((r) => setTimeout(r, 300));
  const seconds = (last - start) / 1000;
  return bytes > 0 && seconds > 0 ? (bytes * 8) / seconds / 1000 : undefined;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
