import { acquireLocalMedia, listDevices, switchDevice, trackOf } from './media.ts';
import type { DeviceLists, MediaKind } from './media.ts';
import { localViewOf } from '../callState.ts';
import type { CallSnapshot } from '../callState.ts';

type Patch = Partial<CallSnapshot>;

/**
 * Our camera and microphone: one getUserMedia for the whole session (the preview's stream is
 * the call's), device switches and mute toggles. Reports plain data through `changed`.
 */
export class LocalMedia {
  private current: MediaStream | undefined;
  private preview: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly changed: (patch: Patch) => void,
    private readonly view: () => Pick<CallSnapshot, 'selected' | 'devices' | 'streamEpoch'>,
  ) {}

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
    const { stream, problem } = await acquireLocalMedia(this.view().selected);
    if (this.stopped) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.current = stream;
    const devices: DeviceLists = await listDevices().catch(() => this.view().devices);
    this.changed({
      previewReady: true,
      mediaProblem: problem,
      local: localViewOf(stream),
      devices,
      selected: {
        audio: trackOf(stream, 'audio')?.getSettings().deviceId,
        video: trackOf(stream, 'video')?.getSettings().deviceId,
      },
      streamEpoch: this.view().streamEpoch + 1,
    });
  }

  /** Swaps one kind to another device; returns the old and new track, or null (no change). */
  async select(
    kind: MediaKind,
    deviceId: string,
  ): Promise<{ old: MediaStreamTrack | undefined; next: MediaStreamTrack } | null> {
    if (!this.current || this.view().selected[kind] === deviceId) return null;
    const swapped = await switchDevice(this.current, kind, deviceId);
    this.changed({
      selected: { ...this.view().selected, [kind]: deviceId },
      local: localViewOf(this.current),
      streamEpoch: this.view().streamEpoch + 1,
    });
    return swapped;
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
    this.changed({ local: localViewOf(this.current) });
    return true;
  }

  /** Releases the devices; a later start() captures afresh. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.current?.getTracks().forEach((t) => t.stop());
    this.current = undefined;
    this.preview = null;
  }
}
