// One recording of one room: a TrackRecorder per listed producer and the manifest beside their
// files. It knows nothing of rooms, roles or sockets: the caller says what to record (like the
// HLS gateway), and calls setTracks again whenever the room's producers change.

import fs from 'node:fs/promises';
import type {
  FfmpegLauncher,
  GatewayLog,
  PlainConsumerSource,
  PortPool,
  PortRange,
} from '@parley/hls-gateway';
import {
  SAFE_ID,
  writeManifest,
  type RecordedTrack,
  type RecordingManifest,
  type TrackKind,
  type TrackSource,
} from './manifest.ts';
import { TrackRecorder } from './trackRecorder.ts';

/** The recorder's default RTP port range (for its PortPool): clear of the gateway's 51000-51999. */
export const DEFAULT_RECORDER_PORTS: PortRange = { min: 52000, max: 52999 };

/** What to record of one producer. */
export interface TrackSpec {
  producerId: string;
  peerId: string;
  /** Display name, drawn under the tile in the composite. */
  name: string;
  kind: TrackKind;
  source: TrackSource;
}

export interface RoomRecorderOptions {
  /** Unique id, letters, digits, `_` and `-` only; also the manifest's recordingId. */
  recordingId: string;
  /** Where the track files and manifest.json go (created if missing). */
  dir: string;
  /** The SFU room (SfuRoom satisfies it). */
  source: PlainConsumerSource;
  /** Port pairs FFmpeg receives on; give the recorder its own range (e.g. 52000-52999). */
  ports: PortPool;
  log: GatewayLog;
  /** FFmpeg binary (default: FFMPEG_PATH, else `ffmpeg` on PATH). */
  ffmpegPath?: string;
  /** Restarts of one track's FFmpeg within a minute before it gives up (default 5). */
  maxRestartsPerMinute?: number;
  /** SIGINT-to-SIGKILL grace when stopping FFmpeg, ms (default 3000). */
  stopTimeoutMs?: number;
  /** Starts FFmpeg (default: the gateway's launchFfmpeg). */
  launch?: FfmpegLauncher;
  /** A track could not be opened, or its FFmpeg kept dying: it is no longer recorded. */
  onFailed?: (producerId: string, reason: string) => void;
}

interface Entry {
  track: RecordedTrack;
  recorder: TrackRecorder | undefined;
}

export class RoomRecorder {
  private readonly entries = new Map<string, Entry>();
  private readonly speakers: RecordingManifest['speakers'] = [];
  private readonly startedAt = Date.now();
  private endedAt: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private writing: Promise<void> | undefined;
  private writeAgain = false;
  private stopped: Promise<RecordingManifest> | undefined;

  private constructor(private readonly options: RoomRecorderOptions) {}

  /** Creates the directory and writes the first manifest; tracks come with setTracks. */
  static async start(options: RoomRecorderOptions): Promise<RoomRecorder> {
    if (!SAFE_ID.test(options.recordingId)) {
      throw new Error(`recorder: bad recording id ${options.recordingId}`);
    }
    await fs.mkdir(options.dir, { recursive: true });
    const recorder = new RoomRecorder(options);
    await writeManifest(options.dir, recorder.manifest);
    return recorder;
  }

  /** A snapshot of the manifest as it is now. */
  get manifest(): RecordingManifest {
    return structuredClone({
      version: 1,
      recordingId: this.options.recordingId,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      tracks: [...this.entries.values()].map((e) => e.track),
      speakers: this.speakers,
    });
  }

  /** Pid of a track's running FFmpeg. */
  ffmpegPid(producerId: string): number | undefined {
    return this.entries.get(producerId)?.recorder?.pid;
  }

  /**
   * Records exactly these producers from now on: opens recorders for new ones, stops the ones
   * no longer listed. A paused producer may stay listed (its file then has a hole).
   */
  setTracks(tracks: readonly TrackSpec[]): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped) return;
      const wanted = new Map(tracks.map((t) => [t.producerId, t]));
      const leaving = [...this.entries.values()].filter(
        (e) => e.recorder && !wanted.has(e.track.producerId),
      );
      await Promise.all(leaving.map((e) => this.close(e)));
      for (const spec of wanted.values()) {
        const entry = this.entries.get(spec.producerId);
        if (!entry?.recorder) await this.open(spec, entry);
      }
    });
  }

  /** Notes an active-speaker change (null: nobody speaks). */
  setSpeaker(peerId: string | null): void {
    if (this.stopped || this.speakers.at(-1)?.peerId === peerId) return;
    this.speakers.push({ at: Date.now(), peerId });
    this.scheduleWrite();
  }

  /** Finalizes every track, writes endedAt and returns the final manifest. Idempotent. */
  stop(): Promise<RecordingManifest> {
    this.stopped ??= this.enqueue(async () => {
      await Promise.all([...this.entries.values()].map((e) => this.close(e)));
      this.endedAt = Date.now();
      await this.flushWrites();
    }).then(() => this.manifest);
    return this.stopped;
  }

  private async open(spec: TrackSpec, existing: Entry | undefined): Promise<void> {
    const { producerId } = spec;
    const entry: Entry = existing ?? {
      track: { ...spec, parts: [] },
      recorder: undefined,
    };
    try {
      entry.recorder = await TrackRecorder.start({
        producerId,
        kind: spec.kind,
        dir: this.options.dir,
        source: this.options.source,
        ports: this.options.ports,
        log: this.options.log,
        parts: entry.track.parts,
        ...pick(this.options, ['ffmpegPath', 'launch', 'maxRestartsPerMinute', 'stopTimeoutMs']),
        onChange: () => this.scheduleWrite(),
        onFailed: (reason) => {
          entry.recorder = undefined;
          this.options.onFailed?.(producerId, reason);
        },
      });
      this.entries.set(producerId, entry);
    } catch (error) {
      this.options.log.warn('recorder: track not recorded', { producerId, error: String(error) });
      this.options.onFailed?.(producerId, String(error));
    }
  }

  private async close(entry: Entry): Promise<void> {
    const recorder = entry.recorder;
    entry.recorder = undefined;
    await recorder?.stop();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(task);
    this.queue = result.catch((error: unknown) =>
      this.options.log.error('recorder: step failed', { error: String(error) }),
    );
    return result;
  }

  /** Writes the manifest soon; writes never overlap, and a burst of changes is one write. */
  private scheduleWrite(): void {
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        try {
          await writeManifest(this.options.dir, this.manifest);
        } catch (error) {
          this.options.log.error('recorder: manifest not written', { error: String(error) });
        }
      } while (this.writeAgain);
      this.writing = undefined;
    })();
  }

  private async flushWrites(): Promise<void> {
    await this.writing;
    this.scheduleWrite();
    await this.writing;
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]),
  ) as Partial<Pick<T, K>>;
}
