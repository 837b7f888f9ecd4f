import type { Role } from '@parley/protocol';
import { background } from '../util/background.ts';
import type { Log } from '../telemetry/log.ts';
import type { Peer } from './peer.ts';

/*
 * The host watch: a meeting left with people but no host (its host left without handing the
 * role over) gets one after a grace time, unless a host comes back first. Its Room owns it,
 * tells it when who runs the meeting may have changed, and does the promotion it asks for.
 */

/** What the host watch asks of its Room. */
export interface HostWatchRoom {
  /** The admitted peers, in join order. */
  peers(): Peer[];
  closed(): boolean;
  /** Makes `peer` host: stored first, then everyone is told (moderation's `giveRole`). */
  promote(peer: Peer): Promise<void>;
  /** Who runs the meeting may have changed: the Room's `hostsChanged`. */
  changed(): void;
  /** Runs `task` in the room's queue (its mutations never interleave). */
  run(task: () => Promise<void>): Promise<void>;
  log: Log;
}

/**
 * Who is made host when nobody is: the longest-present co-host, or else the longest-present
 * person (`peers` in join order); people whose socket is connected first.
 */
export function successor<P extends { role: Role; connected: boolean }>(
  peers: readonly P[],
): P | undefined {
  const here = peers.filter((p) => p.connected);
  const pool = here.length > 0 ? here : peers;
  return pool.find((p) => p.role === 'cohost') ?? pool[0];
}

/** Watches one meeting for a missing host; set while the meeting has people but no host. */
export class HostWatch {
  /** When it fires, one of the people in the meeting is made host. */
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly room: HostWatchRoom,
    private readonly graceMs: number,
  ) {}

  /** Starts the grace timer when the meeting has people but no host; stops it otherwise. */
  changed(): void {
    const peers = this.room.peers();
    const needsHost =
      !this.room.closed() && peers.length > 0 && !peers.some((p) => p.role === 'host');
    if (!needsHost) {
      this.close();
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      background(
        this.room.run(() => this.#promote()),
        'host promotion',
        this.room.log,
      );
    }, this.graceMs);
    this.#timer.unref();
  }

  /** Stops the grace timer (the room closed). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Makes the successor host; a failed write tries again later. */
  async #promote(): Promise<void> {
    const peers = this.room.peers();
    if (this.room.closed() || peers.some((p) => p.role === 'host')) return;
    const next = successor(peers);
    if (!next) return;
    try {
      await this.room.promote(next);
      this.room.log.info('host promoted', { peerId: next.id, afterMs: this.graceMs });
    } finally {
      this.room.changed();
    }
  }
}
