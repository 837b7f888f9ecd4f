import { acquireLocalMedia, listDevices, switchDevice, trackOf } from './media.ts';
import type { DeviceIds, DeviceKind, DeviceLists, MediaKind } from './media.ts';
import {
  fallbackDevice,
  fallbackNotice,
  goneKinds,
  optionsOf,
  readRemembered,
  remember,
  resolveRemembered,
} from './deviceChoice.ts';
import type { RememberedDevices } from './deviceChoice.ts';
import { localViewOf } from '../callState.ts';
import type { CallSnapshot } from '../callState.ts';
import { safeGet, safeSet } from '../../api.ts';
import { log } from '../../log.ts';
import { background } from '../../util/background.ts';

type Patch = Partial<CallSnapshot>;

/** Where this browser keeps the devices picked last (deviceChoice.ts reads and writes it). */
const REMEMBERED_KEY = 'parley.devices';

/**
 * The devices to start with. Where the permission was granted before, the list has ids and
 * labels already: a remembered device that is plugged in (found by id or label) is asked for
 * `exact`ly, one that is not is left to the browser. Before any permission the list has no
 * ids: the remembered ones are asked as `ideal`, taken if the browser can.
 */
function rememberedIds(known: DeviceLists, saved: RememberedDevices): DeviceIds {
  if (known.microphones.length + known.cameras.length === 0) {
    return { audio: saved.audio?.deviceId, video: saved.video?.deviceId, strength: 'ideal' };
  }
  return {
    audio: resolveRemembered(known.microphones, saved.audio),
    video: resolveRemembered(known.cameras, saved.video),
    strength: 'exact',
  };
}

export interface LocalMediaDeps {
  /** Reports plain data for the snapshot. */
  changed(patch: Patch): void;
  view(): Pick<CallSnapshot, 'selected' | 'devices' | 'streamEpoch'>;
  /**
   * Puts `next` on every path that sends `old` (mesh senders, the SFU producer): replaceTrack,
   * so no renegotiation and no new producer. Resolves once they send it.
   */
  replace(old: MediaStreamTrack | undefined, next: MediaStreamTrack): Promise<void>;
  /** Our media flags may have changed (a device went away with none to take over). */
  announce(): void;
}

/**
 * Our camera and microphone: one getUserMedia for the whole session (the preview's stream is
 * the call's), device switches (remembered in this browser), the speaker choice, mute toggles,
 * and a device that goes away mid-call (unplugged: `devicechange`, or its track's `ended`),
 * replaced by the default one with a notice.
 */
export class LocalMedia {
  private current: MediaStream | undefined;
  private preview: Promise<void> | null = null;
  private stopped = false;
  /** Kinds being replaced after their device went away (`ended` and `devicechange` both come). */
  private readonly fallingBack = new Set<DeviceKind>();
  private readonly onDeviceChange = () => background(this.devicesChanged(), 'device list');

  constructor(private readonly deps: LocalMediaDeps) {}

  get stream(): MediaStream | undefined {
    return this.current;
  }

  /** Starts the preview once; later calls return the same promise. */
  start(): Promise<void> {
    this.stopped = false;
    this.preview ??= this.acquire();
    return this.preview;
  }

  private async acquire(): Promise<void> {
    const saved = readRemembered(safeGet(REMEMBERED_KEY));
    const known = await listDevices().catch(() => this.deps.view().devices);
    const ids = rememberedIds(known, saved);
    let { stream, problem } = await acquireLocalMedia(ids);
    // A remembered device that went between the listing and the capture: any device will do.
    if (problem && (ids.audio || ids.video)) {
      stream.getTracks().forEach((t) => t.stop());
      ({ stream, problem } = await acquireLocalMedia());
    }
    if (this.stopped) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.current = stream;
    stream.getTracks().forEach((t) => this.watch(t));
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    const devices: DeviceLists = await listDevices().catch(() => known);
    const output = resolveRemembered(devices.speakers, saved.output);
    this.deps.changed({
      previewReady: true,
      mediaProblem: problem,
      local: localViewOf(stream),
      devices,
      selected: {
        audio: trackOf(stream, 'audio')?.getSettings().deviceId,
        video: trackOf(stream, 'video')?.getSettings().deviceId,
        ...(output ? { output } : {}),
      },
      streamEpoch: this.deps.view().streamEpoch + 1,
    });
  }

  /** The user picked a device: use it from now on, in this call and the next. */
  async select(kind: DeviceKind, deviceId: string): Promise<void> {
    const option = optionsOf(this.deps.view().devices, kind).find((o) => o.deviceId === deviceId);
    if (option) {
      const saved = readRemembered(safeGet(REMEMBERED_KEY));
      safeSet(REMEMBERED_KEY, JSON.stringify(remember(saved, kind, option)));
    }
    this.deps.changed({ deviceNotice: null });
    if (kind === 'output') return this.useOutput(deviceId);
    if (!this.current || this.deps.view().selected[kind] === deviceId) return;
    await this.swap(kind, deviceId);
  }

  /** Mute/unmute or camera off/on (track.enabled); false when there is no such track. */
  toggle(kind: MediaKind): boolean {
    const track = this.current && trackOf(this.current, kind);
    return track ? this.setEnabled(kind, !track.enabled) : false;
  }

  /** Switches one kind on or off, as its button does; false when there is no such track. */
  setEnabled(kind: MediaKind, on: boolean): boolean {
    const track = this.current && trackOf(this.current, kind);
    if (!track) return false;
    track.enabled = on;
    this.deps.changed({ local: localViewOf(this.current) });
    return true;
  }

  /** Releases the devices; a later start() captures afresh. Idempotent. */
  stop(): void {
    this.stopped = true;
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    this.current?.getTracks().forEach((t) => t.stop());
    this.current = undefined;
    this.preview = null;
  }

  /**
   * The new track goes into the stream (mute state kept), onto every sender, and only then
   * is the old one stopped: the others never receive a gap, and the mesh and SFU sides built
   * later (a mesh <-> SFU switch) read the stream, so they send the new track too.
   */
  private async swap(kind: MediaKind, deviceId: string): Promise<void> {
    const stream = this.current;
    if (!stream) return;
    const { old, next } = await switchDevice(stream, kind, deviceId);
    if (this.current !== stream) {
      next.stop();
      return;
    }
    this.watch(next);
    this.deps.changed({
      selected: { ...this.deps.view().selected, [kind]: deviceId },
      local: localViewOf(stream),
      streamEpoch: this.deps.view().streamEpoch + 1,
    });
    try {
      await this.deps.replace(old, next);
    } finally {
      old?.stop();
    }
    // A kind that was missing (no camera at first) changes what we announce.
    if (!old) this.deps.announce();
  }

  private useOutput(deviceId: string | undefined): void {
    const selected = { ...this.deps.view().selected };
    if (deviceId) selected.output = deviceId;
    else delete selected.output;
    this.deps.changed({ selected });
  }

  /** A track ends by itself when its device goes away (unplugged, or taken by the system). */
  private watch(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => {
      const kind = track.kind === 'audio' ? 'audio' : 'video';
      if (this.current && trackOf(this.current, kind) === track) {
        background(this.fallBack(kind, track.getSettings().deviceId), 'device fallback');
      }
    });
  }

  private async devicesChanged(): Promise<void> {
    const devices = await listDevices();
    if (this.stopped) return;
    this.deps.changed({ devices });
    const gone = goneKinds(devices, this.deps.view().selected);
    for (const kind of gone) await this.fallBack(kind, this.deps.view().selected[kind], devices);
  }

  /** The device of `kind` went away: the default one takes over, and the call says so. */
  private async fallBack(kind: DeviceKind, goneId: string | undefined, lists?: DeviceLists) {
    if (this.fallingBack.has(kind) || !this.current) return;
    this.fallingBack.add(kind);
    try {
      const devices = lists ?? (await listDevices());
      const to = fallbackDevice(optionsOf(devices, kind), goneId);
      if (kind === 'output') this.useOutput(to?.deviceId);
      else if (to) await this.swap(kind, to.deviceId);
      else this.drop(kind);
      this.deps.changed({ devices, deviceNotice: fallbackNotice(kind, to) });
    } catch (err) {
      log.warn(`no ${kind} device to fall back to`, err);
      if (kind !== 'output') this.drop(kind);
      this.deps.changed({ deviceNotice: fallbackNotice(kind, undefined) });
    } finally {
      this.fallingBack.delete(kind);
    }
  }

  /** No device of `kind` is left: its dead track goes, and the others see it off. */
  private drop(kind: MediaKind): void {
    const stream = this.current;
    const track = stream && trackOf(stream, kind);
    if (!stream || !track) return;
    stream.removeTrack(track);
    track.stop();
    const selected = { ...this.deps.view().selected };
    delete selected[kind];
    this.deps.changed({ selected, local: localViewOf(stream) });
    this.deps.announce();
  }
}
