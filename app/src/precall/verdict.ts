/**
 * The pre-join connection check's findings (issue 20) and what they mean for a person: one line
 * per thing tested, and one suggestion. Pure, so every combination is table-tested.
 */

/** A probe's outcome: `off` when there was nothing to test (e.g. no TURN over TLS set up). */
export type Probe = 'ok' | 'failed' | 'off';

export interface CheckResults {
  /** The signaling WebSocket answered our check. */
  socket: 'ok' | 'failed';
  /** A relay candidate was gathered from TURN over each transport. */
  turn: { udp: Probe; tcp: Probe; tls: Probe };
  /** Data passed between two relay-only connections (`off`: not run, e.g. no TURN works). */
  relayData: Probe;
  /** The pre-join's warm transport to the SFU connected (`off`: the meeting is not on it). */
  sfu: Probe;
  /** Throughput through the relay loop, kbit/s; undefined when not measured. */
  uplinkKbps?: number | undefined;
}

export type Tone = 'good' | 'warn' | 'bad';

export interface Line {
  label: string;
  text: string;
  tone: Tone;
}

export interface Verdict {
  tone: Tone;
  /** The one thing to tell the person, in a sentence. */
  suggestion: string;
  lines: Line[];
}

/** Below this, video cannot be sent well (a 360p camera stream wants ~300-500 kbit/s). */
export const SLOW_UPLINK_KBPS = 300;

export function formatRate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

const relayWorks = (r: CheckResults) =>
  r.turn.udp === 'ok' || r.turn.tcp === 'ok' || r.turn.tls === 'ok';
const relaySetUp = (r: CheckResults) =>
  r.turn.udp !== 'off' || r.turn.tcp !== 'off' || r.turn.tls !== 'off';

function lines(r: CheckResults): Line[] {
  const out: Line[] = [
    r.socket === 'ok'
      ? { label: 'Server', text: 'reachable', tone: 'good' }
      : { label: 'Server', text: 'cannot be reached', tone: 'bad' },
  ];
  const transports = [
    ['udp', 'Relay (TURN) over UDP'],
    ['tcp', 'Relay (TURN) over TCP'],
    ['tls', 'Relay (TURN) over TLS'],
  ] as const;
  if (r.socket === 'ok' && !relaySetUp(r)) {
    out.push({ label: 'Relay (TURN)', text: 'not set up on this server', tone: 'warn' });
  }
  for (const [key, label] of transports) {
    const p = r.turn[key];
    if (p === 'ok') out.push({ label, text: 'works', tone: 'good' });
    if (p === 'failed') out.push({ label, text: 'cannot be reached', tone: 'bad' });
  }
  if (r.relayData === 'ok')
    out.push({ label: 'Data through the relay', text: 'passes', tone: 'good' });
  if (r.relayData === 'failed') {
    out.push({ label: 'Data through the relay', text: 'does not pass', tone: 'bad' });
  }
  if (r.sfu === 'ok') out.push({ label: 'Media server', text: 'reachable directly', tone: 'good' });
  if (r.sfu === 'failed') {
    out.push({ label: 'Media server', text: 'not reachable directly', tone: 'warn' });
  }
  if (r.uplinkKbps !== undefined) {
    const slow = r.uplinkKbps < SLOW_UPLINK_KBPS;
    out.push({
      label: 'Upload speed',
      text: `about ${formatRate(r.uplinkKbps)}`,
      tone: slow ? 'warn' : 'good',
    });
  }
  return out;
}

/** The single most useful thing to say, most serious first. */
function suggestion(r: CheckResults): { tone: Tone; suggestion: string } {
  if (r.socket === 'failed') {
    return {
      tone: 'bad',
      suggestion: 'The server cannot be reached: check your internet connection.',
    };
  }
  if (relaySetUp(r) && !relayWorks(r)) {
    return {
      tone: 'bad',
      suggestion: 'The relay (TURN) cannot be reached: calls may fail behind a strict firewall.',
    };
  }
  if (r.relayData === 'failed') {
    return {
      tone: 'bad',
      suggestion: 'The relay (TURN) answers but passes no data: calls may fail on this network.',
    };
  }
  if (r.turn.udp === 'failed') {
    const via = r.turn.tcp === 'ok' ? 'TURN over TCP' : 'TURN over TLS';
    // The media server listens on TCP too: a meeting on it may not need the relay at all.
    const to = r.sfu === 'ok' ? 'TCP to the media server, or the relay' : 'the relay';
    return {
      tone: 'warn',
      suggestion: `Your network blocks UDP; calls will use ${to} (${via}).`,
    };
  }
  if (r.sfu === 'failed' && !relaySetUp(r)) {
    return {
      tone: 'bad',
      suggestion: 'Your network blocks the media server and no relay is set up: calls may fail.',
    };
  }
  if (r.uplinkKbps !== undefined && r.uplinkKbps < SLOW_UPLINK_KBPS) {
    return {
      tone: 'warn',
      suggestion: `Your upload is slow (about ${formatRate(r.uplinkKbps)}): others may see your video in low quality. Turning your camera off keeps the sound clear.`,
    };
  }
  return { tone: 'good', suggestion: 'All is well: your connection is ready for a call.' };
}

export function verdict(r: CheckResults): Verdict {
  return { ...suggestion(r), lines: lines(r) };
}
