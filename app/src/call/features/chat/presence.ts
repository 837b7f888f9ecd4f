import type { PresenceLine } from './chatState.ts';

interface Peer {
  peerId: string;
  name: string;
}

export interface PeerChange {
  name: string;
  change: PresenceLine['change'];
}

/**
 * Who left and who joined between two lists of the call's peers, by peer id (a peer whose
 * name changed neither left nor joined): the chat's join and leave lines (issue 19).
 */
export function peerChanges(before: readonly Peer[], after: readonly Peer[]): PeerChange[] {
  const was = new Set(before.map((p) => p.peerId));
  const is = new Set(after.map((p) => p.peerId));
  const left = before.filter((p) => !is.has(p.peerId));
  const joined = after.filter((p) => !was.has(p.peerId));
  return [
    ...left.map((p) => ({ name: p.name, change: 'left' as const })),
    ...joined.map((p) => ({ name: p.name, change: 'joined' as const })),
  ];
}
