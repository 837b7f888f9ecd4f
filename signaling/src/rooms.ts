import type { RoomId, RoomStatus } from '@parley/protocol';
import type { ChatStore } from './chatStore.ts';
import { hashSecret, newHostKey, newRoomId, secretMatches } from './ids.ts';
import type { Log } from './log.ts';
import { Room } from './room.ts';
import { Viewers } from './viewers.ts';
import type { RoomOptions } from './room.ts';
import type { RoomStore } from './roomStore.ts';

export interface RoomsOptions {
  roomStore: RoomStore;
  chatStore: ChatStore;
  maxPeers: number;
  media: RoomOptions['media'];
  log: Log;
}

/**
 * The rooms this process serves: every room ever created is in the store; a `Room` object
 * exists only while someone is in it (or joining it).
 */
export class Rooms {
  readonly #live = new Map<RoomId, Room>();
  readonly viewers = new Viewers();

  constructor(private readonly options: RoomsOptions) {}

  create(): { id: RoomId; hostKey: string } {
    const id = newRoomId();
    const hostKey = newHostKey();
    this.options.roomStore.create({ id, hostKeyHash: hashSecret(hostKey), createdAt: Date.now() });
    return { id, hostKey };
  }

  exists(id: RoomId): boolean {
    return this.#live.has(id) || this.options.roomStore.get(id) !== undefined;
  }

  /** The live Room for a stored id, created on first use; undefined for an unknown id. */
  open(id: RoomId): Room | undefined {
    const live = this.#live.get(id);
    if (live) return live;
    if (!this.options.roomStore.get(id)) return undefined;
    const room = new Room(id, {
      maxPeers: this.options.maxPeers,
      chat: this.options.chatStore,
      onEmpty: (r) => this.#drop(r),
      media: this.options.media,
      log: this.options.log,
    });
    this.#live.set(id, room);
    return room;
  }

  isHostKey(id: RoomId, hostKey: string | undefined): boolean {
    const record = this.options.roomStore.get(id);
    return (
      record !== undefined && hostKey !== undefined && secretMatches(hostKey, record.hostKeyHash)
    );
  }

  status(id: RoomId): RoomStatus | undefined {
    const live = this.#live.get(id);
    const viewers = this.viewers.count(id);
    if (live) return live.status(viewers);
    if (!this.options.roomStore.get(id)) return undefined;
    return { id, mode: 'mesh', admitted: 0, live: false, viewers };
  }

  /** The live Room object for an id, if anyone is in it. */
  get(id: RoomId): Room | undefined {
    return this.#live.get(id);
  }

  /** Rooms with someone in them (or joining). */
  live(): IterableIterator<Room> {
    return this.#live.values();
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /** For a join that ended without admitting anyone: do not keep an empty room alive. */
  releaseIfEmpty(room: Room): void {
    if (room.size === 0) this.#drop(room);
  }

  #drop(room: Room): void {
    room.closed = true;
    if (this.#live.get(room.id) === room) this.#live.delete(room.id);
  }
}
