import type { PeerId } from '@parley/protocol';

/**
 * The seats of admitted peers whose socket dropped without a `leave`: each is kept for a window
 * so its peer can resume unseen, then given up. One timer per seat; the timers never hold the
 * process open (a server stopping does not wait for them).
 */
export class KeptSeats {
  readonly #timers = new Map<PeerId, NodeJS.Timeout>();

  /** Keeps the seat `windowMs` (a window already running starts over), then calls `expire`. */
  keep(peerId: PeerId, windowMs: number, expire: () => void): void {
    clearTimeout(this.#timers.get(peerId));
    const timer = setTimeout(() => {
      this.#timers.delete(peerId);
      expire();
    }, windowMs);
    timer.unref();
    this.#timers.set(peerId, timer);
  }

  /** The seat was taken back, or its peer is gone: its window stops. */
  release(peerId: PeerId): void {
    clearTimeout(this.#timers.get(peerId));
    this.#timers.delete(peerId);
  }
}
