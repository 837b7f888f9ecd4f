import type { ClientMessage, PeerInfo } from '@parley/protocol';
import type { PeerView } from '../callState.ts';

type ResumeMessage = Extract<ClientMessage, { type: 'resume' }>;
/** A seat as `join` carries it, to take it back where `resume` cannot (another node). */
export type SeatClaim = NonNullable<Extract<ClientMessage, { type: 'join' }>['seat']>;

/**
 * Our seat in the room, for taking it back after the socket dropped (`resume`): the peer id
 * and the secret the server gave with `joined`. Kept in memory only (this tab, this page):
 * a reload or a second tab joins afresh.
 */
export class Seat {
  private held: { peerId: string; resumeToken: string } | null = null;

  get peerId(): string | null {
    return this.held?.peerId ?? null;
  }

  take(peerId: string, resumeToken: string): void {
    this.held = { peerId, resumeToken };
  }

  /** The seat for a `join` after a failed resume, or null when we hold none. */
  claim(): SeatClaim | null {
    if (!this.held) return null;
    const { peerId, resumeToken } = this.held;
    return { peerId: peerId as SeatClaim['peerId'], resumeToken };
  }

  /** The seat is gone (we left, or the server no longer keeps it). */
  release(): void {
    this.held = null;
  }

  /** The `resume` to send after a reconnect, or null when there is no seat to take back. */
  resumeMessage(roomId: string, lastSeq: number, rid: number): ResumeMessage | null {
    if (!this.held) return null;
    return {
      type: 'resume',
      rid,
      // Branded ids: these came from the server (peerId) or the URL the server answered for.
      roomId: roomId as ResumeMessage['roomId'],
      peerId: this.held.peerId as ResumeMessage['peerId'],
      resumeToken: this.held.resumeToken,
      lastSeq,
    };
  }
}

/**
 * The peer list after a resume: the server's snapshot decides who is here (in its order),
 * what we knew about a peer's link state is kept, and no peer is ever listed twice.
 */
export function reconcilePeers(current: readonly PeerView[], snapshot: readonly PeerInfo[]) {
  const known = new Map(current.map((p) => [p.peerId, p]));
  const seen = new Set<string>();
  const peers: PeerView[] = [];
  for (const info of snapshot) {
    if (seen.has(info.peerId)) continue;
    seen.add(info.peerId);
    peers.push({ ...info, connected: known.get(info.peerId)?.connected ?? false });
  }
  return peers;
}

/** The same list without duplicates (the last entry of a peer wins, at its first place). */
export function dedupePeers(peers: readonly PeerView[]): PeerView[] {
  const last = new Map(peers.map((p) => [p.peerId, p]));
  const out: PeerView[] = [];
  for (const p of peers) {
    const entry = last.get(p.peerId);
    if (!entry) continue;
    out.push(entry);
    last.delete(p.peerId);
  }
  return out;
}
