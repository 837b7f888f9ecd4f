import type { RecordingLayout } from '@parley/protocol';
import type { PlainConsumerSource } from '@parley/hls-gateway';

/** One track the recorder should write, as the room describes it. */
export interface TrackSpec {
  producerId: string;
  peerId: string;
  /** The person's display name, drawn under their tile in the composite. */
  name: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'screen' | 'mic';
}

/** A recording being written: told what to record, stopped once. */
export interface LiveRecorder {
  /** Resolves once the recorders of new tracks run (a failed one is logged, not thrown). */
  setTracks(tracks: TrackSpec[]): Promise<void>;
  /** Resolves once the first media is written (or after `timeoutMs` without any). */
  firstMedia(timeoutMs: number): Promise<void>;
  setSpeaker(peerId: string | null): void;
  /** Finalizes every file; resolves with what the recording holds. Idempotent. */
  stop(): Promise<RecordedSummary>;
  /** The recorder gave up (FFmpeg kept dying, or the disk filled): the recording must end. */
  onFailed(listener: (reason: string) => void): void;
}

export interface RecordedSummary {
  endedAt: number;
  /** Holes where a track's recorder died and restarted, summed, ms. */
  gapMs: number;
}

export interface ComposeOptions {
  layout: RecordingLayout;
  /** The MP4 to write. */
  output: string;
  /** The audio-only M4A to write. */
  audioOutput: string;
  onProgress: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface Composed {
  durationMs: number;
  bytes: number;
  audioBytes: number;
}

/**
 * What the recordings service needs of the media side (`@parley/recorder`, wired in by the
 * composition root): record a room's tracks into a directory, and compose a directory's tracks
 * into one MP4. An interface so the service's bookkeeping (jobs, retention, disk space) is
 * tested on its own; the media is tested with real FFmpeg in the recorder package and end to
 * end.
 */
export interface RecorderEngine {
  record(options: {
    recordingId: string;
    dir: string;
    source: PlainConsumerSource;
  }): Promise<LiveRecorder>;
  /** What a directory holds after a crash cut its recording short (the manifest's last word). */
  recovered(dir: string): Promise<RecordedSummary>;
  compose(dir: string, options: ComposeOptions): Promise<Composed>;
}
