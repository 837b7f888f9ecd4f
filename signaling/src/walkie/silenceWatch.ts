/**
 * How long a floor holder's audio may be missing before the floor ends. A talker's browser
 * sends a packet at least every 400 ms even in silence (Opus DTX), so three seconds without
 * one means its media path is gone (ICE or the network dropped) while its socket may live on.
 */
export const SILENT_TALKER_MS = 3_000;

/** One floor as the watch sees it: its channel's count of forwarded packets, if it has one. */
export interface HeldFloor<M extends string, C extends string> {
  channelId: C;
  memberId: M;
  /** When the floor was granted: a new turn of the same member is a new floor. */
  since: number;
  packets: number | undefined;
}

interface Heard<M> {
  memberId: M;
  since: number;
  packets: number | undefined;
  /** When the count last moved (or the watch first saw this holder). */
  at: number;
}

/**
 * Which floor holders' audio stopped reaching their channel. Pure: the team calls `check`
 * about once a second with the holders and their channels' counters, and ends the floors of
 * the members it returns.
 */
export class SilenceWatch<M extends string, C extends string> {
  readonly #heard = new Map<C, Heard<M>>();

  constructor(private readonly limitMs = SILENT_TALKER_MS) {}

  check(holders: readonly HeldFloor<M, C>[], now: number): M[] {
    const silent: M[] = [];
    const held = new Set<C>();
    for (const { channelId, memberId, since, packets } of holders) {
      held.add(channelId);
      const last = this.#heard.get(channelId);
      const same = last?.memberId === memberId && last.since === since;
      if (!last || !same || last.packets !== packets) {
        this.#heard.set(channelId, { memberId, since, packets, at: now });
      } else if (now - last.at >= this.limitMs) {
        silent.push(memberId);
      }
    }
    for (const channelId of [...this.#heard.keys()]) {
      if (!held.has(channelId)) this.#heard.delete(channelId);
    }
    return silent;
  }
}
