import type { ClientMessage } from '@parley/protocol';
import { QualityMonitor } from './quality/QualityMonitor.ts';
import { mediaFlags } from './callState.ts';
import type { CallSnapshot } from './callState.ts';
import type { Topology } from './topology/Topology.ts';

/** What the call lends its quality monitor: its snapshot, media paths and socket. */
export interface CallQualityDeps {
  snapshot(): CallSnapshot;
  /** The room's media paths; null before the join and after leaving. */
  topology(): Topology | null;
  /** "Audio only" is on: no camera video comes to us, so none is due. */
  audioOnly(): boolean;
  send(msg: ClientMessage): boolean;
  update(patch: Partial<CallSnapshot>): void;
}

/**
 * How well everyone's media gets through, for the tiles and our own status (issue 20): the
 * QualityMonitor measures and decides, this wiring gives it the call's peers and links, and
 * its verdicts go to the snapshot, the media paths (send plans, incoming video) and the room
 * (our uplink). Outside the call it sees no peers and no links, and tells the room nothing.
 */
export function callQuality(call: CallQualityDeps): QualityMonitor {
  const inCall = () => call.snapshot().phase === 'in-call';
  return new QualityMonitor({
    peers: () => (inCall() ? call.snapshot().peers : []),
    visible: (peerId) =>
      !call.audioOnly() && (call.topology()?.tileVisible(`${peerId}/camera`) ?? false),
    lowered: (peerId) => call.topology()?.cameraLowered(peerId) ?? false,
    inbound: async (peerId) => (await call.topology()?.tileStats(peerId)) ?? [],
    outbound: async () => (inCall() && (await call.topology()?.sendStats())) || [],
    sendingVideo: () => mediaFlags(call.snapshot().local).video,
    sendPlan: (link, plan) => call.topology()?.setSendPlan(link, plan),
    receiveVideo: (on) => call.topology()?.setIncomingVideo(on),
    report: (uplink) => inCall() && call.send({ type: 'uplink', uplink }),
    changed: (view) =>
      call.update({
        quality: view.peers,
        selfQuality: view.self,
        selfVideoPaused: view.selfVideoPaused,
        incomingVideoPaused: view.incomingVideoPaused,
      }),
  });
}
