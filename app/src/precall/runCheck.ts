import { warmState } from '../call/topology/sfu/warmTransport.ts';
import { probeTurn, relayLoop, turnServersFor } from './probes.ts';
import type { TurnTransport } from './probes.ts';
import type { CheckResults, Probe } from './verdict.ts';

/** How long the pre-join's warm SFU transport may take to connect before it counts as blocked. */
const SFU_WAIT_MS = 5000;

/** Where the check gets its ICE servers: `net-check` on the call's socket (CallController). */
export interface CheckSource {
  /** ICE servers for the check; undefined when the server's WebSocket does not answer. */
  netCheckServers(): Promise<RTCIceServer[] | undefined>;
}

/**
 * The warm transport the pre-join opens when the meeting is on the SFU (warmTransport.ts):
 * connected means ICE to the SFU works from here; none means the meeting does not use it now.
 */
async function probeSfu(): Promise<Probe> {
  const deadline = Date.now() + SFU_WAIT_MS;
  for (;;) {
    const { state } = warmState();
    if (state === null) return 'off';
    if (state === 'connected') return 'ok';
    if (state === 'failed' || state === 'closed' || Date.now() > deadline) return 'failed';
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Runs the check. The quick one (on opening the pre-join) asks for relay addresses only; the
 * full one ("Test my connection") also passes data through the relay and times it.
 */
export async function runCheck(source: CheckSource, full: boolean): Promise<CheckResults> {
  const servers = await source.netCheckServers();
  if (!servers) {
    return {
      socket: 'failed',
      turn: { udp: 'off', tcp: 'off', tls: 'off' },
      relayData: 'off',
      sfu: 'off',
    };
  }
  const [udp, tcp, tls, sfu] = await Promise.all([
    probeTurn(servers, 'udp'),
    probeTurn(servers, 'tcp'),
    probeTurn(servers, 'tls'),
    probeSfu(),
  ]);
  const turn = { udp, tcp, tls };
  // The loop uses only what answered, UDP first: the path a call would take.
  const working = (['udp', 'tcp', 'tls'] as TurnTransport[]).filter((t) => turn[t] === 'ok');
  const loop =
    full && working[0] ? await relayLoop(turnServersFor(servers, working[0]), true) : undefined;
  return {
    socket: 'ok',
    turn,
    relayData: loop?.relayData ?? 'off',
    sfu,
    uplinkKbps: loop?.kbps,
  };
}
