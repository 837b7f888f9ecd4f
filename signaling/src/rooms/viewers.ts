/** A viewer counts while it has checked in within this window. */
const VIEWER_TTL_MS = 30_000;
/** Bound per room: a flood of made-up viewer ids cannot grow memory without limit. */
const MAX_VIEWERS_PER_ROOM = 100_000;

/**
 * Broadcast audiences, from the viewer page's periodic check-in. HLS itself is plain file
 * fetching (and may come through a CDN), so the page tells us it is watching.
 */
export class Viewers {
  readonly #rooms = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a check-in; returns the room's current count. */
  seen(roomId: string, viewerId: string): number {
    let room = this.#rooms.get(roomId);
    if (!room) this.#rooms.set(roomId, (room = new Map()));
    this.#expire(room);
    if (room.size < MAX_VIEWERS_PER_ROOM || room.has(viewerId)) {
      room.delete(viewerId); // re-insert: the map stays ordered by last check-in
      room.set(viewerId, this.now());
    }
    return room.size;
  }

  count(roomId: string): number {
    const room = this.#rooms.get(roomId);
    if (!room) return 0;
    this.#expire(room);
    if (room.size === 0) this.#rooms.delete(roomId);
    return room.size;
  }

  #expire(room: Map<string, number>): void {
    const cutoff = this.now() - VIEWER_TTL_MS;
    for (const [id, at] of room) {
      if (at >= cutoff) break; // ordered by check-in time: the rest are fresher
      room.delete(id);
    }
  }
}
