import type { MediaState, PeerId, PeerInfo, Role, ServerMessage } from '@parley/protocol';

/** How a Peer reaches its client; the WebSocket connection implements it. */
export interface PeerSink {
  send(message: ServerMessage): void;
}

/** One admitted participant of a room. Plain state; the Room decides what happens to it. */
export class Peer {
  media: MediaState;

  constructor(
    readonly id: PeerId,
    readonly name: string,
    readonly role: Role,
    media: MediaState,
    private readonly sink: PeerSink,
  ) {
    this.media = media;
  }

  send(message: ServerMessage): void {
    this.sink.send(message);
  }

  info(): PeerInfo {
    return { peerId: this.id, name: this.name, role: this.role, media: { ...this.media } };
  }
}
