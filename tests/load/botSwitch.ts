// The make-before-break bookkeeping of a bot, as the app's Switcher does it
// (app/src/call/topology/Switcher.ts). A mesh link closes only when both ends show each other
// through the SFU: each says so with a `{ctl:'swapped', via}` relay note. Back to the mesh,
// the SFU side closes once every peer shows us through the mesh again. A fallback timer closes
// either way when a note never comes. The bot has no <video> to re-render, so it swaps at once
// (the app waits SETTLE_MS for the old stream to leave the screen). No I/O here: the timer is
// injected, so the table test drives it.

export type Via = 'mesh' | 'sfu';

export interface SwitchActions {
  /** Send `peerId` the note "I now show you through `via`". */
  tell(peerId: string, via: Via): void;
  /** Both ends show each other through the SFU: the mesh link can go. */
  closeMeshLink(peerId: string): void;
  /** We receive `peerId` through the mesh again: our consumers of them can go. */
  dropConsumers(peerId: string): void;
  /** Every peer shows us through the mesh (or the fallback ran out): the SFU side can go. */
  closeSfu(): void;
  /** The peers in the room now. */
  peers(): string[];
}

export interface SwitchTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** The app's SWAP_FALLBACK_MS: how long to wait for a peer's note before closing anyway. */
export const SWAP_FALLBACK_MS = 15_000;

const realTimers: SwitchTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class BotSwitch {
  #target: Via;
  readonly #local = new Map<string, Via>();
  readonly #remote = new Map<string, Via>();
  readonly #timers = new Map<string, unknown>();

  constructor(
    private readonly act: SwitchActions,
    initial: Via,
    private readonly timers: SwitchTimers = realTimers,
  ) {
    this.#target = initial;
  }

  get target(): Via {
    return this.#target;
  }

  /** The room's mode changed (`room-mode`). */
  setTarget(via: Via): void {
    if (via === this.#target) return;
    this.#target = via;
    this.#local.clear();
    this.#clearTimers();
    if (via === 'mesh') this.#timer('sfu', () => this.act.closeSfu());
  }

  /** True while `peerId` is still to be swapped to the target (the bot polls these). */
  pending(peerId: string): boolean {
    return this.#local.get(peerId) !== this.#target;
  }

  /**
   * We now receive `peerId` through the target path. `tell: false` when the note would change
   * nothing: to the SFU with no mesh link to that peer (a peer met on the SFU), so a bot joining
   * a large SFU room does not send every member a note (the server's flood guard counts them).
   */
  localOn(peerId: string, via: Via, tell = true): void {
    if (via !== this.#target || this.#local.get(peerId) === via) return;
    this.#local.set(peerId, via);
    if (tell) this.act.tell(peerId, via);
    if (via === 'sfu') {
      if (this.#remote.get(peerId) === 'sfu') this.#closeLink(peerId);
      else this.#timer(peerId, () => this.#closeLink(peerId));
    } else {
      this.act.dropConsumers(peerId);
      this.#checkSfuDone();
    }
  }

  /** A peer's note: it shows us through `via`. */
  remoteOn(peerId: string, via: Via): void {
    this.#remote.set(peerId, via);
    if (via !== this.#target) return;
    if (via === 'sfu' && this.#local.get(peerId) === 'sfu') this.#closeLink(peerId);
    if (via === 'mesh') this.#checkSfuDone();
  }

  peerLeft(peerId: string): void {
    this.#local.delete(peerId);
    this.#remote.delete(peerId);
    this.#clearTimer(peerId);
    if (this.#target === 'mesh') this.#checkSfuDone();
  }

  close(): void {
    this.#clearTimers();
  }

  #closeLink(peerId: string): void {
    this.#clearTimer(peerId);
    if (this.#target === 'sfu') this.act.closeMeshLink(peerId);
  }

  #checkSfuDone(): void {
    const done = this.act
      .peers()
      .every((p) => this.#local.get(p) === 'mesh' && this.#remote.get(p) === 'mesh');
    if (!done || !this.#timers.has('sfu')) return;
    this.#clearTimer('sfu');
    this.act.closeSfu();
  }

  #timer(key: string, fn: () => void): void {
    this.#clearTimer(key);
    this.#timers.set(
      key,
      this.timers.set(() => {
        this.#timers.delete(key);
        fn();
      }, SWAP_FALLBACK_MS),
    );
  }

  #clearTimer(key: string): void {
    if (!this.#timers.has(key)) return;
    this.timers.clear(this.#timers.get(key));
    this.#timers.delete(key);
  }

  #clearTimers(): void {
    for (const h of this.#timers.values()) this.timers.clear(h);
    this.#timers.clear();
  }
}
