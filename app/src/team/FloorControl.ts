import type { ServerMessageOf } from '@parley/protocol';
import { RequestError } from '../call/session/RequestChannel.ts';
import type { RequestChannel } from '../call/session/RequestChannel.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';
import type { TeamStore } from './TeamStore.ts';
import type { TeamMedia } from './TeamMedia.ts';
import { busyReason, endedReason, refusedReason } from './teamState.ts';
import { playBusyTone, playPermitTone } from './tones.ts';

type Floor = ServerMessageOf<'floor'>;
type FloorEnded = ServerMessageOf<'floor-ended'>;

export interface FloorDeps {
  rpc: RequestChannel;
  store: TeamStore;
  /** Null before the team's media is up. */
  media(): TeamMedia | null;
}

/**
 * The Hold to talk button's side of floor control: press -> `floor-request` (the microphone
 * starts sending at once, the server forwards it only once the floor is ours), let go ->
 * `floor-release`. The server decides; this follows its answers and pushes, plays the permit
 * and busy tones, keeps the screen on while we talk and silences our own channel meanwhile.
 */
export class FloorControl {
  /** The button is down (pointer, touch or Space). */
  private held = false;
  private wakeLock: WakeLockSentinel | null = null;

  constructor(private readonly deps: FloorDeps) {}

  press(): void {
    if (this.held) return;
    const { store } = this.deps;
    const media = this.deps.media();
    const channelId = store.current.talkOn;
    if (!channelId || store.current.phase !== 'in-team') return;
    if (!media?.hasMic) {
      store.update({ reason: 'No microphone: you can listen, not talk' });
      return;
    }
    this.held = true;
    store.update({ talk: { kind: 'requesting', channelId }, reason: null });
    media.setSending(true);
    background(this.request(channelId), 'floor request');
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    const { talk } = this.deps.store.current;
    this.stopTalking();
    // Still `requesting`: the answer finds the button up and gives the floor back then.
    if (talk.kind === 'granted' || talk.kind === 'queued') this.giveBack(talk.channelId);
  }

  /** A `floor` reply or push: granted, or our place in line. */
  onFloor(msg: Floor): void {
    if (!this.held) return this.giveBack(msg.channelId);
    const { store } = this.deps;
    if (msg.state === 'queued') {
      store.update({ talk: { kind: 'queued', channelId: msg.channelId, position: msg.position ?? 1 } }); // prettier-ignore
      return;
    }
    store.update({
      talk: { kind: 'granted', channelId: msg.channelId },
      permitTones: store.current.permitTones + 1,
    });
    const media = this.deps.media();
    if (media) {
      media.muteOwnChannel(msg.channelId);
      playPermitTone(media.audio);
    }
    background(this.keepScreenOn(), 'wake lock');
  }

  /** The server ended our floor without our asking: say why. */
  onEnded(msg: FloorEnded): void {
    const { talk } = this.deps.store.current;
    if (talk.kind === 'idle' || talk.channelId !== msg.channelId) return;
    this.held = false;
    this.stopTalking();
    this.refusedCue(endedReason(msg.reason));
  }

  /** The socket dropped or the page leaves: whatever we held is gone. */
  reset(reason: string | null): void {
    const wasTalking = this.deps.store.current.talk.kind !== 'idle';
    this.held = false;
    this.stopTalking();
    if (wasTalking && reason) this.deps.store.update({ reason });
  }

  private async request(channelId: string): Promise<void> {
    try {
      this.onFloor(await this.deps.rpc.request({ type: 'floor-request', channelId }));
    } catch (err) {
      this.refused(channelId, err);
    }
  }

  private refused(channelId: string, err: unknown): void {
    const wasHeld = this.held;
    this.held = false;
    this.stopTalking();
    if (!(err instanceof RequestError)) return log.warn('floor request failed', err);
    const snap = this.deps.store.current;
    const reason =
      err.code === 'FLOOR_BUSY'
        ? busyReason(snap, channelId)
        : refusedReason(err.code, err.message);
    // Let go before the answer: nothing to tell.
    if (wasHeld) this.refusedCue(reason);
  }

  private refusedCue(reason: string): void {
    const { store } = this.deps;
    store.update({ reason, busyTones: store.current.busyTones + 1 });
    const media = this.deps.media();
    if (media) playBusyTone(media.audio);
  }

  private giveBack(channelId: string): void {
    this.deps.rpc
      .request({ type: 'floor-release', channelId })
      .catch((err: unknown) => log.warn('floor release', err));
  }

  private stopTalking(): void {
    const media = this.deps.media();
    media?.setSending(false);
    media?.muteOwnChannel(null);
    this.deps.store.update({ talk: { kind: 'idle' } });
    const lock = this.wakeLock;
    this.wakeLock = null;
    if (lock) background(lock.release(), 'wake lock release');
  }

  /** The screen stays on while we talk, where the browser allows it. */
  private async keepScreenOn(): Promise<void> {
    if (!('wakeLock' in navigator) || this.wakeLock) return;
    const lock = await navigator.wakeLock.request('screen');
    if (this.deps.store.current.talk.kind === 'granted' && !this.wakeLock) this.wakeLock = lock;
    else await lock.release();
  }
}
