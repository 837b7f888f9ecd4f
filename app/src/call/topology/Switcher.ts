import type { Via } from './RemoteMedia.ts';

export interface SwitcherActions {
  /** Tell `peerId` (through the mesh relay) that we now show them through `via`. */
  tell(peerId: string, via: Via): void;
  /** Both sides show each other through the SFU: the mesh link can go. */
  closeMeshLink(peerId: string): void;
  /** We show `peerId` through the mesh again: our consumers of them can go. */
  dropConsumers(peerId: string): void;
  /** Everyone shows us through the mesh (or the grace ran out): the SFU side can go. */
  closeSfu(): void;
  /** The peers in the room now. */
  peers(): string[];
}

/** After swapping a peer, how long to wait for their "swapped" before closing anyway. */
export const SWAP_FALLBACK_MS = 15_000;
/**
 * How long after a swap before breaking the old path: the tile's <video> takes the new
 * stream on the next render, and until then it still shows the old one, which must live.
 */
export const SETTLE_MS = 500;

/**
 * Make-before-break bookkeeping. A mesh link is bidirectional, so it closes only when both
 * ends have swapped their tile of the other to the SFU: each end says so with a small relay
 * note (`{ctl:'swapped', via}`). Downgrading, our producers feed other peers' tiles, so the
 * SFU side closes once every peer has said it shows us through the mesh again. Either way a
 * fallback timer closes after SWAP_FALLBACK_MS when a note never comes.
 */
export class Switcher {
  private target: Via = 'mesh';
  private readonly local = new Map<string, Via>();
  private readonly remote = new Map<string, Via>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly settling = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly act: SwitcherActions) {}

  setTarget(via: Via): void {
    if (via === this.target) return;
    this.target = via;
    this.local.clear();
    this.clearTimers();
    if (via === 'mesh') this.timer('sfu', () => this.act.closeSfu());
  }

  /** RemoteMedia: every tile of `peerId` shows `via`. */
  localOn(peerId: string, via: Via): void {
    if (via !== this.target) return;
    this.act.tell(peerId, via);
    clearTimeout(this.settling.get(peerId));
    this.settling.set(
      peerId,
      setTimeout(() => {
        this.settling.delete(peerId);
        this.swapped(peerId, via);
      }, SETTLE_MS),
    );
  }

  private swapped(peerId: string, via: Via): void {
    if (via !== this.target) return;
    this.local.set(peerId, via);
    if (via === 'sfu') {
      if (this.remote.get(peerId) === 'sfu') this.closeLink(peerId);
      else this.timer(peerId, () => this.closeLink(peerId));
    } else {
      this.act.dropConsumers(peerId);
      this.checkSfuDone();
    }
  }

  /** A peer's note: it shows us through `via`. */
  remoteOn(peerId: string, via: Via): void {
    this.remote.set(peerId, via);
    if (via !== this.target) return;
    if (via === 'sfu' && this.local.get(peerId) === 'sfu') this.closeLink(peerId);
    if (via === 'mesh') this.checkSfuDone();
  }

  peerLeft(peerId: string): void {
    clearTimeout(this.settling.get(peerId));
    this.settling.delete(peerId);
    this.local.delete(peerId);
    this.remote.delete(peerId);
    this.clearTimer(peerId);
    if (this.target === 'mesh') this.checkSfuDone();
  }

  close(): void {
    this.clearTimers();
  }

  private closeLink(peerId: string): void {
    this.clearTimer(peerId);
    if (this.target === 'sfu') this.act.closeMeshLink(peerId);
  }

  private checkSfuDone(): void {
    const peers = this.act.peers();
    const done = peers.every((p) => this.local.get(p) === 'mesh' && this.remote.get(p) === 'mesh');
    if (!done) return;
    this.clearTimer('sfu');
    this.act.closeSfu();
  }

  private timer(key: string, fn: () => void): void {
    this.clearTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, SWAP_FALLBACK_MS),
    );
  }

  private clearTimer(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  private clearTimers(): void {
    for (const t of [...this.timers.values(), ...this.settling.values()]) clearTimeout(t);
    this.timers.clear();
    this.settling.clear();
  }
}
