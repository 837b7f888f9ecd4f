import type { ClientMessage, Role, RoomSettingsChange, WaitingPeer } from '@parley/protocol';
import type { SnapshotStore } from '../../SnapshotStore.ts';
import { mutedNotice, roleNotice } from '../../session/admissionState.ts';
import { UNMUTE_REFUSED_NOTICE, unmuteAllowedNotice } from './lobbyState.ts';
import type { Removal } from '../../session/admissionState.ts';
import { actionFailure, arrivalNotice, arrivals, isModerator } from './lobbyState.ts';
import type { TileAction } from './lobbyState.ts';
import { RequestError } from '../../session/RequestChannel.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';

export interface ModerationDeps {
  rpc: RequestChannel;
  store: SnapshotStore;
  /** Turns our microphone or camera off exactly as its button does (a `media` update follows). */
  turnOff(kind: 'audio' | 'video'): void;
  /** Leaves for good: socket, media paths and devices. */
  teardown(): void;
}

/** How long "Ada is waiting to join" stays up. */
const ARRIVAL_NOTICE_MS = 10_000;

type Control = Extract<
  ClientMessage,
  { type: 'admit' | 'admit-all' | 'deny' | 'mute' | 'allow-unmute' | 'remove' | 'set-role' | 'end' }
>;
type PeerId = Extract<ClientMessage, { type: 'admit' }>['peerId'];

/**
 * Host controls from both ends. A host's or co-host's side: the waiting room's queue (`lobby`
 * pushes, with a quiet notice when someone arrives), the controls (admit, deny, mute, remove,
 * roles, end) and the room's settings; each control is a request answered `ok` (or an error,
 * shown in `hostNotice`), and the queue and the peers then change through the server's pushes.
 * The target's side: `muted`, `role` and `removed`.
 */
export class Moderation {
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  /** We asked to end the meeting: the `removed {ended}` that follows is ours. */
  ending = false;
  /** What a host turned off for us and has not let us turn on again (if the room asks that). */
  private readonly hostMuted = new Set<'audio' | 'video'>();

  constructor(private readonly deps: ModerationDeps) {}

  /** The queue changed (or we just joined as host or co-host). */
  onLobby(waiting: WaitingPeer[]): void {
    const notice = arrivalNotice(arrivals(this.deps.store.current.lobby, waiting));
    this.deps.store.update({
      lobby: waiting,
      ...(notice ? { lobbyNotice: notice } : waiting.length === 0 ? { lobbyNotice: null } : {}),
    });
    if (!notice) return;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(
      () => this.deps.store.update({ lobbyNotice: null }),
      ARRIVAL_NOTICE_MS,
    );
  }

  admit(peerId: string): Promise<boolean> {
    return this.control({ type: 'admit', peerId: peerId as PeerId }, 'let them in');
  }

  admitAll(): Promise<boolean> {
    return this.control({ type: 'admit-all' }, 'let everyone in');
  }

  deny(peerId: string): Promise<boolean> {
    return this.control({ type: 'deny', peerId: peerId as PeerId }, 'turn them away');
  }

  mute(peerId: string, kind: 'audio' | 'video'): Promise<boolean> {
    const what = kind === 'audio' ? 'mute them' : 'stop their video';
    return this.control({ type: 'mute', peerId: peerId as PeerId, kind }, what);
  }

  /** Lets someone a host muted turn that device back on (rooms with `selfUnmute` off). */
  allowUnmute(peerId: string, kind: 'audio' | 'video'): Promise<boolean> {
    const what = kind === 'audio' ? 'let them unmute' : 'let them turn their camera on';
    return this.control({ type: 'allow-unmute', peerId: peerId as PeerId, kind }, what);
  }

  remove(peerId: string): Promise<boolean> {
    return this.control({ type: 'remove', peerId: peerId as PeerId }, 'remove them');
  }

  /** `host` hands the host role over: they become host, we a co-host. */
  setRole(peerId: string, role: Role): Promise<boolean> {
    const what = {
      host: 'make them the host',
      cohost: 'make them a co-host',
      guest: 'make them a guest',
    }[role];
    return this.control({ type: 'set-role', peerId: peerId as PeerId, role }, what, true);
  }

  /** An item chosen in someone's tile menu. */
  tileAction(peerId: string, action: TileAction): Promise<boolean> {
    switch (action) {
      case 'mute':
        return this.mute(peerId, 'audio');
      case 'stop-video':
        return this.mute(peerId, 'video');
      case 'allow-unmute':
        return this.allowUnmute(peerId, 'audio');
      case 'allow-video':
        return this.allowUnmute(peerId, 'video');
      case 'remove':
        return this.remove(peerId);
      case 'make-host':
        return this.setRole(peerId, 'host');
      case 'make-cohost':
        return this.setRole(peerId, 'cohost');
      case 'make-guest':
        return this.setRole(peerId, 'guest');
    }
  }

  /** Host only: ends the meeting for everyone (the UI asks for confirmation first). */
  async end(): Promise<boolean> {
    this.ending = true;
    const ok = await this.control({ type: 'end' }, 'end the meeting', true);
    if (ok) this.onRemoved('ended');
    else this.ending = false;
    return ok;
  }

  /** Changes the room's settings; the reply carries them all (everyone gets them pushed). */
  async changeSettings(change: RoomSettingsChange): Promise<boolean> {
    try {
      const reply = await this.deps.rpc.request({ type: 'settings', settings: change });
      // A password makes the broadcast private: the watch link needs the token from now on.
      this.deps.store.update({
        settings: reply.settings,
        watchToken: reply.watchToken ?? null,
        ...(reply.broadcastId ? { broadcastId: reply.broadcastId } : {}),
      });
      return true;
    } catch (err) {
      this.fail('change the settings', err);
      return false;
    }
  }

  // ---------- what host controls do to us ----------

  /** Dismisses the host notice ("A host muted you"). */
  dismissNotice(): void {
    this.deps.store.update({ hostNotice: null });
  }

  /** A host turned off our microphone or camera; we may turn it back on (if the room lets us). */
  onMuted(kind: 'audio' | 'video'): void {
    this.hostMuted.add(kind);
    this.deps.turnOff(kind);
    this.deps.store.update({ hostNotice: mutedNotice(kind) });
  }

  /** A host lets us turn it back on. */
  onUnmuteAllowed(kind: 'audio' | 'video'): void {
    this.hostMuted.delete(kind);
    this.deps.store.update({ hostNotice: unmuteAllowedNotice(kind) });
  }

  /** Whether a host's mute of `kind` holds for us (a guest, in a room without selfUnmute). */
  heldByHost(kind: 'audio' | 'video'): boolean {
    const { role, settings } = this.deps.store.current;
    return this.hostMuted.has(kind) && role === 'guest' && !settings.selfUnmute;
  }

  /** We turned it back on ourselves (the room let us): a host's mute of it is over. */
  turnedBackOn(kind: 'audio' | 'video'): void {
    this.hostMuted.delete(kind);
  }

  /**
   * We tried to turn a device back on, but the room keeps a host's mute until a host allows it
   * (checked here first; the server's MUTED_BY_HOST if we did not know, e.g. after a reload).
   */
  onUnmuteRefused(): void {
    for (const kind of this.hostMuted.size > 0 ? this.hostMuted : ['audio' as const]) {
      this.deps.turnOff(kind);
    }
    this.deps.store.update({ hostNotice: UNMUTE_REFUSED_NOTICE });
  }

  onRole(role: Role): void {
    if (role === this.deps.store.current.role) return;
    this.deps.store.update({ role, hostNotice: roleNotice(role) });
    if (!isModerator(role)) this.reset();
  }

  /** Turned away, removed, or the meeting ended: leave for good (no automatic rejoin). */
  onRemoved(reason: Removal['reason']): void {
    if (this.deps.store.current.phase === 'removed') return;
    const byYou = reason === 'ended' && this.ending;
    this.deps.teardown();
    this.deps.store.update({
      phase: 'removed',
      removal: { reason, byYou },
      peers: [],
      notice: null,
      status: null,
      hostNotice: null,
      waitingPosition: null,
      sharing: false,
    });
  }

  /** Out of the meeting (or no longer a host): forget the queue. */
  reset(): void {
    clearTimeout(this.noticeTimer);
    this.deps.store.update({ lobby: [], lobbyNotice: null });
  }

  private async control(msg: Control, what: string, hostOnly = false): Promise<boolean> {
    try {
      await this.deps.rpc.request(msg);
      return true;
    } catch (err) {
      this.fail(what, err, hostOnly);
      return false;
    }
  }

  private fail(what: string, err: unknown, hostOnly = false): void {
    const code = err instanceof RequestError ? err.code : '';
    const message = err instanceof Error ? err.message : String(err);
    // Leaving closes every request in flight: nothing to tell then.
    if (code === 'CLOSED') return;
    this.deps.store.update({ hostNotice: actionFailure(what, code, message, hostOnly) });
  }
}
