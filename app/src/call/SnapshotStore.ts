import { initialSnapshot } from './callState.ts';
import type { CallSnapshot, PeerView } from './callState.ts';
import { dedupePeers } from './session/seat.ts';

type Listener = (snapshot: CallSnapshot) => void;

/** The call's plain-data snapshot and its subscribers: every change makes a new object. */
export class SnapshotStore {
  private snap: CallSnapshot = initialSnapshot();
  private readonly listeners = new Set<Listener>();

  get current(): CallSnapshot {
    return this.snap;
  }

  /** Calls `fn` now and after every change, until the returned function is called. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  update(patch: Partial<CallSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of this.listeners) fn(this.snap);
  }

  /** Every change of the peer list goes through here: a peer is never listed twice. */
  setPeers(fn: (peers: PeerView[]) => PeerView[]): void {
    this.update({ peers: dedupePeers(fn(this.snap.peers)) });
  }

  patchPeer(peerId: string, patch: Partial<PeerView>): void {
    this.setPeers((ps) => ps.map((p) => (p.peerId === peerId ? { ...p, ...patch } : p)));
  }

  /** No more updates reach anyone (the page is going away). */
  close(): void {
    this.listeners.clear();
  }
}
