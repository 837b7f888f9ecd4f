// What travels between two mesh peers through the server's `signal` relay, as the app speaks
// it (app/src/call/topology/mesh/MeshLink.ts, relayNotes.ts): simple-peer's signal payloads
// wrapped in `{link, signal}` (the link id keeps a rebuilt link from eating the candidates of
// the one it replaced), or a relay note `{ctl, ...}` (protocol's RelayNoteSchema). The relay is
// opaque to the server, so everything is checked here before a bot acts on it. Pure functions,
// table-tested in tests/integration/load/meshSignal.test.ts.

import { RelayNoteSchema } from '@parley/protocol';
import type { RelayNote } from '@parley/protocol';

/** An ICE candidate as simple-peer sends it (RTCIceCandidateInit). */
export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** The simple-peer payloads a bot understands (simple-peer 9, trickle on). */
export type SimpleSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: CandidateInit }
  /** The non-initiator asks the initiator for a new offer (it has tracks to add). */
  | { type: 'renegotiate' }
  /** The non-initiator asks for a transceiver (simple-peer's addTransceiver). */
  | { type: 'transceiverRequest'; kind: string };

export type RelayIn =
  | { what: 'note'; note: RelayNote }
  | { what: 'signal'; link: string; signal: SimpleSignal }
  /** Something this bot does not read (a newer note, a malformed payload): why, for a log. */
  | { what: 'ignored'; why: string };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readCandidate(c: unknown): CandidateInit | undefined {
  if (!isRecord(c) || typeof c.candidate !== 'string') return undefined;
  const mid = c.sdpMid;
  const index = c.sdpMLineIndex;
  if (mid !== undefined && mid !== null && typeof mid !== 'string') return undefined;
  if (index !== undefined && index !== null && !Number.isInteger(index)) return undefined;
  return {
    candidate: c.candidate,
    ...(typeof mid === 'string' ? { sdpMid: mid } : {}),
    ...(typeof index === 'number' ? { sdpMLineIndex: index } : {}),
  };
}

/** simple-peer's payload, or undefined for one a bot cannot act on. */
export function readSimpleSignal(s: unknown): SimpleSignal | undefined {
  if (!isRecord(s)) return undefined;
  if ((s.type === 'offer' || s.type === 'answer') && typeof s.sdp === 'string') {
    return { type: s.type, sdp: s.sdp };
  }
  // simple-peer 9 sends `{type:'candidate', candidate}`; older ones only `{candidate}`.
  if ((s.type === 'candidate' || s.type === undefined) && 'candidate' in s) {
    const candidate = readCandidate(s.candidate);
    return candidate && { type: 'candidate', candidate };
  }
  if (s.type === 'renegotiate' || s.renegotiate === true) return { type: 'renegotiate' };
  if (s.type === 'transceiverRequest' && isRecord(s.transceiverRequest)) {
    const kind = s.transceiverRequest.kind;
    return typeof kind === 'string' ? { type: 'transceiverRequest', kind } : undefined;
  }
  return undefined;
}

/** Reads a relayed `signal`'s data the way the app's Topology does: note or link signal. */
export function readRelay(data: Record<string, unknown>): RelayIn {
  // Any `ctl` is a note, even one this version does not know: never fed to a link.
  if ('ctl' in data) {
    const parsed = RelayNoteSchema.safeParse(data);
    return parsed.success
      ? { what: 'note', note: parsed.data }
      : { what: 'ignored', why: `unknown note ${JSON.stringify(data.ctl)}` };
  }
  const { link, signal } = data;
  if (typeof link !== 'string') return { what: 'ignored', why: 'signal without a link id' };
  const read = readSimpleSignal(signal);
  if (!read) return { what: 'ignored', why: 'signal payload a bot does not read' };
  return { what: 'signal', link, signal: read };
}

/** The relay data of a bot's own signal (the shape the app's readEnvelope accepts). */
export function envelope(link: string, signal: SimpleSignal): Record<string, unknown> {
  switch (signal.type) {
    case 'offer':
    case 'answer':
      return { link, signal: { type: signal.type, sdp: signal.sdp } };
    case 'candidate':
      return { link, signal: { type: 'candidate', candidate: signal.candidate } };
    case 'renegotiate':
      return { link, signal: { type: 'renegotiate', renegotiate: true } };
    case 'transceiverRequest':
      return {
        link,
        signal: { type: 'transceiverRequest', transceiverRequest: { kind: signal.kind } },
      };
  }
}
