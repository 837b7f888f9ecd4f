import type { PeerId, RaisedHand, ServerMessage } from '@parley/protocol';
import type { Peer } from '../rooms/peer.ts';
import type { Hands } from './hands.ts';
import { Reactions } from './reactions.ts';

/** What a Classroom needs of its room. */
export interface ClassroomHost {
  /** The admitted peers, in join order. */
  peers(): Iterable<Peer>;
  /** To every admitted peer but `except`. */
  broadcast(message: ServerMessage, except?: PeerId): void;
}

/**
 * A meeting's class tools (issue 17): raised hands, kept with the meeting's door, and
 * reactions, batched. Tells everyone when the list of hands they see changes, including when
 * someone with a hand up comes back or goes. Call inside the room's queue.
 */
export class Classroom {
  readonly reactions: Reactions;

  constructor(
    private readonly host: ClassroomHost,
    readonly hands: Hands,
  ) {
    this.reactions = new Reactions((items) => host.broadcast({ type: 'reactions', items }));
  }

  /** The raised hands of the people present, first up first. */
  raised(): RaisedHand[] {
    return this.hands.list(this.host.peers());
  }

  publishHands(except?: PeerId): void {
    this.host.broadcast({ type: 'hands', raised: this.raised() }, except);
  }

  /** `peer` is being admitted (its `joined` carries the list): a hand it left up is back. */
  arrived(peer: Peer): void {
    if (this.hands.isRaised(peer)) this.publishHands(peer.id);
  }

  /** `peer` is out of the meeting: its hand leaves the list (and stays stored). */
  left(peer: Peer): void {
    this.reactions.forget(peer.id);
    if (this.hands.isRaised(peer)) this.publishHands();
  }

  close(): void {
    this.reactions.close();
  }
}
