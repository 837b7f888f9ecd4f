// The recording package (issue 18): RoomRecorder copies each SFU track into Matroska files
// without re-encoding; composite() turns a finished (or crashed) recording into an MP4 and an
// M4A. FFmpeg and ffprobe must be on PATH, or FFMPEG_PATH / ffmpegPath must point at them.
export {
  DEFAULT_RECORDER_PORTS,
  RoomRecorder,
  type RoomRecorderOptions,
  type TrackSpec,
} from './roomRecorder.ts';
export {
  MANIFEST_FILE,
  ManifestError,
  fromFirstMedia,
  gapsOf,
  parseManifest,
  readManifest,
  type Gap,
  type RecordedPart,
  type RecordedTrack,
  type RecordingManifest,
} from './manifest.ts';
export { composite, type CompositeOptions, type CompositeResult } from './composite.ts';
export {
  buildCompositePlans,
  escapeValue,
  type CompositeArgsOptions,
  type CompositePlans,
} from './compositeArgs.ts';
export type { LayoutName } from './layout.ts';
export { TrackRecorder, type TrackRecorderOptions } from './trackRecorder.ts';
export { buildRecordPlan } from './recordArgs.ts';
