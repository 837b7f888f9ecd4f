// The pictures one broadcast is encoded into. By default one (the configured size); with the
// ladder on, a 360p rendition beside it for viewers on slow networks (issue 20), chosen by
// hls.js's ABR or by hand, and by Safari from the master playlist. Pure.

import { RENDITION_NAMES, type RenditionName } from './names.ts';

export interface Rendition {
  /** Its public playlist is `<name>.m3u8` (with the ladder) and its segments start `<prefix>-<name>`. */
  name: RenditionName;
  /** FFmpeg writes this rendition into `<run dir>/<subdir>` ('' without the ladder). */
  subdir: string;
  width: number;
  height: number;
  videoKbps: number;
  audioKbps: number;
  /** H.264 level (Annex A) as x264 takes it and CODECS spells it: 31 is level 3.1. */
  level: number;
}

export interface RenditionInput {
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  audioKbps: number;
  ladder: boolean;
}

/** The ladder's low rung: 360 lines at a bitrate a 1 Mbit/s link carries with room to spare. */
export const LOW_HEIGHT = 360;
const LOW_VIDEO_KBPS = 800;
const LOW_AUDIO_KBPS = 96;

/** Main profile levels: [level, max macroblocks a frame, max macroblocks a second, max kbit/s]. */
const LEVELS: readonly (readonly [number, number, number, number])[] = [
  [30, 1620, 40500, 10000],
  [31, 3600, 108000, 14000],
  [32, 5120, 216000, 20000],
  [40, 8192, 245760, 20000],
  [42, 8704, 522240, 50000],
  [50, 22080, 589824, 135000],
  [51, 36864, 983040, 240000],
  [52, 36864, 2073600, 240000],
];

/** The renditions, highest first. Throws when the ladder is asked for a picture too small for it. */
export function renditionsOf(o: RenditionInput): Rendition[] {
  const [high, low] = RENDITION_NAMES;
  const main: Rendition = {
    name: high,
    subdir: o.ladder ? high : '',
    width: o.width,
    height: o.height,
    videoKbps: o.videoKbps,
    audioKbps: o.audioKbps,
    level: h264Level(o.width, o.height, o.fps, o.videoKbps),
  };
  if (!o.ladder) return [main];
  if (o.height <= LOW_HEIGHT)
    throw new Error(`ffmpeg: the ladder needs a height above ${LOW_HEIGHT}`);
  // Same shape as the main picture, even width (4:2:0).
  const width = 2 * Math.round((o.width * LOW_HEIGHT) / o.height / 2);
  const videoKbps = Math.min(LOW_VIDEO_KBPS, Math.floor(o.videoKbps / 2));
  return [
    main,
    {
      name: low,
      subdir: low,
      width,
      height: LOW_HEIGHT,
      videoKbps,
      audioKbps: Math.min(LOW_AUDIO_KBPS, o.audioKbps),
      level: h264Level(width, LOW_HEIGHT, o.fps, videoKbps),
    },
  ];
}

/** The lowest level that fits the picture, frame rate and bitrate (level 3.0 at least). */
export function h264Level(width: number, height: number, fps: number, kbps: number): number {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const fit = LEVELS.find(
    ([, maxFrame, maxRate, maxKbps]) =>
      frameMbs <= maxFrame && frameMbs * fps <= maxRate && kbps <= maxKbps,
  );
  if (!fit) throw new Error(`ffmpeg: ${width}x${height}@${fps} fits no H.264 level`);
  return fit[0];
}

/** `-level:v` for x264: 31 -> "3.1". */
export function levelArg(level: number): string {
  return `${Math.floor(level / 10)}.${level % 10}`;
}

/** RFC 6381 CODECS for the master playlist: H.264 Main at the level, AAC-LC. */
export function codecsOf(rendition: Rendition): string {
  const level = rendition.level.toString(16).padStart(2, '0');
  return `avc1.4d40${level},mp4a.40.2`;
}
