import type { SendPlan } from '../quality/sendPlan.ts';

/** The link id of our SFU send transport in send plans (peer ids are UUIDs). */
export const SFU_LINK = 'sfu';

/**
 * What each link should carry of our camera, from three sources: the quality monitor's plan
 * per link, the peers who asked for none of it (their "Audio only", a `video` relay note),
 * and our own "Audio only"; and whether others' camera video is to come to us. Kept here, so
 * a rebuilt mesh link or a new SFU session starts with it; Topology applies it.
 */
export class SendPlans {
  /** The monitor's plans that are not `full`, by link (a peer id, or SFU_LINK). */
  readonly #monitor = new Map<string, SendPlan>();
  readonly #notWanted = new Set<string>();
  #audioOnly: boolean;
  /** The quality monitor paused others' video coming to us (our downlink cannot carry it). */
  #incomingPaused = false;

  constructor(audioOnly: boolean) {
    this.#audioOnly = audioOnly;
  }

  get audioOnly(): boolean {
    return this.#audioOnly;
  }

  /** Others' camera video is to come to us: not in audio only, nor while the monitor paused it. */
  get receivesVideo(): boolean {
    return !this.#audioOnly && !this.#incomingPaused;
  }

  /** False when it already was. */
  setAudioOnly(on: boolean): boolean {
    if (on === this.#audioOnly) return false;
    this.#audioOnly = on;
    return true;
  }

  /** False when it already was. */
  setIncomingPaused(paused: boolean): boolean {
    if (paused === this.#incomingPaused) return false;
    this.#incomingPaused = paused;
    return true;
  }

  setMonitored(link: string, plan: SendPlan): void {
    if (plan === 'full') this.#monitor.delete(link);
    else this.#monitor.set(link, plan);
  }

  setWanted(peerId: string, send: boolean): void {
    if (send) this.#notWanted.delete(peerId);
    else this.#notWanted.add(peerId);
  }

  peerLeft(peerId: string): void {
    this.#notWanted.delete(peerId);
    this.#monitor.delete(peerId);
  }

  forMesh(peerId: string): SendPlan {
    if (this.#audioOnly || this.#notWanted.has(peerId)) return 'off';
    return this.#monitor.get(peerId) ?? 'full';
  }

  forSfu(): SendPlan {
    return this.#audioOnly ? 'off' : (this.#monitor.get(SFU_LINK) ?? 'full');
  }
}
