// The FFmpeg command line of one broadcast run, as data: RTP in (an SDP file), H.264 + AAC
// HLS with fMP4 segments out. Pure, so every choice below is unit-tested; ffmpegProcess.ts
// hands the plan to fluent-ffmpeg.

import { isIP } from 'node:net';
import { levelArg, renditionsOf, type Rendition } from './renditions.ts';

/** One `-i` with the options that precede it. */
export interface FfmpegInput {
  options: string[];
  source: string;
}

/** One more output file with the options that precede it. */
export interface FfmpegOutput {
  options: string[];
  output: string;
}

/** A complete FFmpeg invocation. `toArgs` gives the command line fluent-ffmpeg will run. */
export interface FfmpegPlan {
  inputs: FfmpegInput[];
  /** Global options (logging, stdin) lead these: fluent-ffmpeg has no separate slot for them. */
  outputOptions: string[];
  output: string;
  /** Outputs after the first (the ladder's other renditions), in order. */
  moreOutputs?: FfmpegOutput[];
}

export interface EncodeOptions {
  /** SDP file describing the RTP streams; required when video or any audio comes over RTP. */
  sdpPath?: string;
  /** True when the SDP's first stream is the video; otherwise black frames are encoded. */
  rtpVideo: boolean;
  /** Audio streams in the SDP (after the video); 0 encodes silence. */
  rtpAudioCount: number;
  /** FFmpeg writes its playlist, init segment and segments here. */
  workDir: string;
  /** Target segment length, seconds (default 1). Keyframes are forced on this grid. */
  segmentSeconds?: number;
  /** Output frame rate (default 30). */
  fps?: number;
  /** Output size; sources are scaled to fit and letterboxed (default 1280x720). */
  width?: number;
  height?: number;
  /** H.264 bitrate in kbit/s (default 2500), also its maxrate. */
  videoKbps?: number;
  /** AAC bitrate in kbit/s (default 128). */
  audioKbps?: number;
  /** Segments in FFmpeg's own playlist (default 10); only our playlist writer reads it. */
  listSize?: number;
  /** The address FFmpeg binds its RTP/RTCP sockets to (default 127.0.0.1, see sdpInput). */
  rtpListenIp?: string;
  /**
   * Also encode a 360p rendition (default false): one decode, a split, a second x264 and a
   * second HLS output in `<workDir>/lo`, the main one in `<workDir>/hi` (see renditions.ts).
   */
  ladder?: boolean;
}

export const FFMPEG_PLAYLIST = 'ffmpeg.m3u8';
export const FFMPEG_INIT = 'init.mp4';
export const FFMPEG_SEGMENT_PATTERN = /^seg_(\d+)\.m4s$/;

// FFmpeg finds -loglevel and -hide_banner anywhere on the line before it parses the rest.
const GLOBAL_OPTIONS = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];

const DEFAULTS = {
  segmentSeconds: 1,
  fps: 30,
  width: 1280,
  height: 720,
  videoKbps: 2500,
  audioKbps: 128,
  listSize: 10,
  rtpListenIp: '127.0.0.1',
  ladder: false,
};

/** Builds the plan; throws on options that cannot make a valid command. */
export function buildFfmpegPlan(options: EncodeOptions): FfmpegPlan {
  const o: Resolved = { ...options, ...DEFAULTS, ...withoutUndefined(options) };
  validate(o);
  const inputs: FfmpegInput[] = [];
  const rtp = o.rtpVideo || o.rtpAudioCount > 0;
  if (rtp) inputs.push(sdpInput(o.sdpPath, o.rtpListenIp));
  const videoIndex = o.rtpVideo ? 0 : inputs.push(blackInput(o)) - 1;
  const silenceIndex = o.rtpAudioCount > 0 ? -1 : inputs.push(silenceInput()) - 1;
  const renditions = renditionsOf(o);
  const filters = [videoFilter(`${videoIndex}:v:0`, o, renditions)];
  const audio = audioFilter(o.rtpAudioCount, renditions.length);
  if (audio) filters.push(audio);
  const [first, ...more] = renditions.map((rendition, i): FfmpegOutput => {
    const dir = rendition.subdir ? `${o.workDir}/${rendition.subdir}` : o.workDir;
    return {
      options: [
        '-map',
        `[vout${label(i)}]`,
        '-map',
        audio ? `[aout${label(i)}]` : `${silenceIndex}:a:0`,
        ...videoCodecOptions(o, rendition),
        ...audioCodecOptions(rendition),
        '-max_muxing_queue_size',
        '1024',
        ...hlsOptions(o, dir),
      ],
      output: `${dir}/${FFMPEG_PLAYLIST}`,
    };
  });
  if (!first) throw new Error('ffmpeg: no rendition');
  return {
    inputs,
    outputOptions: [...GLOBAL_OPTIONS, '-filter_complex', filters.join(';'), ...first.options],
    output: first.output,
    ...(more.length > 0 ? { moreOutputs: more } : {}),
  };
}

/** Filter graph labels: `[vout]` and `[aout]` for the first rendition, `[vout1]`... after. */
function label(index: number): string {
  return index === 0 ? '' : String(index);
}

/** The plan as one argument list, in the order fluent-ffmpeg assembles it. */
export function toArgs(plan: FfmpegPlan): string[] {
  return [
    ...plan.inputs.flatMap((input) => [...input.options, '-i', input.source]),
    '-y',
    ...plan.outputOptions,
    plan.output,
    ...(plan.moreOutputs ?? []).flatMap((more) => [...more.options, more.output]),
  ];
}

/** The renditions a plan with these options encodes, highest first (defaults applied). */
export function renditionsFor(
  options: Omit<EncodeOptions, 'rtpVideo' | 'rtpAudioCount' | 'workDir'>,
): Rendition[] {
  return renditionsOf({ ...DEFAULTS, ...withoutUndefined(options) });
}

type Resolved = typeof DEFAULTS & EncodeOptions;

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validate(o: Resolved): void {
  const positive = ['segmentSeconds', 'fps', 'width', 'height', 'videoKbps', 'audioKbps'] as const;
  for (const key of positive) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) throw new Error(`ffmpeg: bad ${key} ${o[key]}`);
  }
  if (o.width % 2 || o.height % 2) throw new Error('ffmpeg: width and height must be even');
  if (!Number.isInteger(o.listSize) || o.listSize < 3) throw new Error('ffmpeg: listSize < 3');
  if (!Number.isInteger(o.rtpAudioCount) || o.rtpAudioCount < 0) {
    throw new Error(`ffmpeg: bad rtpAudioCount ${o.rtpAudioCount}`);
  }
  if ((o.rtpVideo || o.rtpAudioCount > 0) && !o.sdpPath) throw new Error('ffmpeg: sdpPath needed');
  if (!isIP(o.rtpListenIp)) throw new Error(`ffmpeg: bad rtpListenIp ${o.rtpListenIp}`);
}

function sdpInput(sdpPath: string | undefined, listenIp: string): FfmpegInput {
  return {
    options: [
      // The sdp demuxer refuses to open udp/rtp URLs named in a file unless allowed.
      '-protocol_whitelist',
      'file,udp,rtp',
      '-f',
      'sdp',
      // The SDP's c= line names where the streams arrive, but FFmpeg binds its unicast sockets
      // to the wildcard address unless told otherwise: anyone who could reach 51000-51999 from
      // outside could then inject a picture into a live broadcast (issue 14).
      '-localaddr',
      listenIp,
      // Start fast: codec parameters come with the first keyframe, which we request.
      '-analyzeduration',
      '1000000',
      '-thread_queue_size',
      '1024',
    ],
    source: sdpPath ?? '',
  };
}

/** Black frames in real time (`-re`), for a broadcast without a video source. */
function blackInput(o: Resolved): FfmpegInput {
  return {
    options: ['-re', '-f', 'lavfi', '-thread_queue_size', '512'],
    source: `color=c=black:s=${o.width}x${o.height}:r=${o.fps}`,
  };
}

/** Silence in real time, for a broadcast without an audio source. */
function silenceInput(): FfmpegInput {
  return {
    options: ['-re', '-f', 'lavfi', '-thread_queue_size', '512'],
    source: 'anullsrc=r=48000:cl=stereo',
  };
}

/**
 * Every source (any size, changing with simulcast layers) becomes one constant size and frame
 * rate, so the encoder never reconfigures and the keyframe grid stays regular.
 */
function videoFilter(input: string, o: Resolved, renditions: readonly Rendition[]): string {
  const { width: w, height: h, fps } = o;
  const main =
    `[${input}]scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p`;
  if (renditions.length === 1) return `${main}[vout]`;
  // The lower rungs are scaled from the main picture: one decode, one pad, one fps pass.
  const labels = renditions.map((_, i) => (i === 0 ? '[vout]' : `[vsplit${i}]`)).join('');
  const lower = renditions
    .slice(1)
    .map((r, i) => `[vsplit${i + 1}]scale=${r.width}:${r.height}[vout${label(i + 1)}]`);
  return [`${main},split=${renditions.length}${labels}`, ...lower].join(';');
}

/**
 * RTP audio is resampled against its timestamps (async fills gaps with silence); several
 * streams are summed without normalization (amix would otherwise divide every voice by N).
 */
function audioFilter(count: number, outputs: number): string | undefined {
  if (count === 0) return undefined;
  const resample = 'aresample=async=1000:first_pts=0';
  // A filter's output feeds one encoder: each rendition's AAC gets its copy.
  const out =
    outputs === 1
      ? '[aout]'
      : `,asplit=${outputs}` +
        Array.from({ length: outputs }, (_, i) => `[aout${label(i)}]`).join('');
  if (count === 1) return `[0:a:0]${resample}${out}`;
  const labels = Array.from({ length: count }, (_, i) => `[0:a:${i}]`).join('');
  return `${labels}amix=inputs=${count}:duration=longest:dropout_transition=0:normalize=0,${resample}${out}`;
}

function videoCodecOptions(o: Resolved, r: Rendition): string[] {
  const gop = String(Math.max(1, Math.round(o.fps * o.segmentSeconds)));
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    // No B-frames, no lookahead: frames leave the encoder as soon as they are in.
    '-tune',
    'zerolatency',
    '-profile:v',
    'main',
    // Stated, not left to x264: the master playlist's CODECS names the same level.
    '-level:v',
    levelArg(r.level),
    '-b:v',
    `${r.videoKbps}k`,
    '-maxrate',
    `${r.videoKbps}k`,
    '-bufsize',
    `${r.videoKbps * 2}k`,
    // A keyframe exactly every segment: each segment starts with one and none is cut short.
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-force_key_frames',
    `expr:gte(t,n_forced*${o.segmentSeconds})`,
  ];
}

function audioCodecOptions(r: Rendition): string[] {
  return ['-c:a', 'aac', '-b:a', `${r.audioKbps}k`, '-ar', '48000', '-ac', '2'];
}

function hlsOptions(o: Resolved, dir: string): string[] {
  return [
    '-f',
    'hls',
    '-hls_time',
    String(o.segmentSeconds),
    '-hls_list_size',
    String(o.listSize),
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    FFMPEG_INIT,
    // No delete_segments: the playlist writer moves segments out and deletes them itself.
    '-hls_flags',
    'independent_segments+program_date_time+temp_file',
    '-hls_segment_filename',
    `${dir}/seg_%d.m4s`,
  ];
}
