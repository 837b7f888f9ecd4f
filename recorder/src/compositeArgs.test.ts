import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toArgs } from '@parley/hls-gateway';
import { DEFAULT_FONT, buildCompositePlans, cleanName, escapeValue } from './compositeArgs.ts';
import { stageSegments } from './layout.ts';
import type { RecordedTrack, RecordingManifest } from './manifest.ts';

const run = promisify(execFile);
const T0 = 1_700_000_000_000;

function track(
  producerId: string,
  peerId: string,
  kind: RecordedTrack['kind'],
  source: RecordedTrack['source'],
  parts: [number, number | null][],
): RecordedTrack {
  return {
    producerId,
    peerId,
    name: peerId,
    kind,
    source,
    parts: parts.map(([from, to], i) => ({
      file: `${producerId}-${i + 1}.mkv`,
      startedAt: T0 + from * 1000,
      endedAt: to === null ? null : T0 + to * 1000,
    })),
  };
}

/** Alice and Bob on camera (Bob's FFmpeg restarted at 4.5 s), Carol shares her screen 3-6 s. */
const meeting: RecordingManifest = {
  version: 1,
  recordingId: 'r1',
  startedAt: T0,
  endedAt: T0 + 10_000,
  tracks: [
    track('aliceCam', 'alice', 'video', 'camera', [[0.5, 10]]),
    track('aliceMic', 'alice', 'audio', 'mic', [[0.25, 10]]),
    track('bobCam', 'bob', 'video', 'camera', [
      [1, 4],
      [4.5, 10],
    ]),
    track('bobMic', 'bob', 'audio', 'mic', [[1, 10]]),
    track('carolScreen', 'carol', 'video', 'screen', [[3, 6]]),
  ],
  speakers: [
    { at: T0, peerId: 'alice' },
    { at: T0 + 5000, peerId: 'bob' },
    { at: T0 + 8000, peerId: null },
  ],
};

const paths = { dir: '/rec', output: '/rec/out.mp4', audioOutput: '/rec/out.m4a' };

function valueOf(args: string[], flag: string): string {
  const i = args.indexOf(flag);
  return i === -1 ? '' : (args[i + 1] ?? '');
}

describe('buildCompositePlans', () => {
  it.each([
    {
      name: 'grid: every camera and the screen share in a 2x2 grid, all the time',
      manifest: meeting,
      layout: 'grid' as const,
      inputs: ['aliceCam-1', 'bobCam-1', 'bobCam-2', 'carolScreen-1', 'aliceMic-1', 'bobMic-1'],
      offsets: ['0.5', '1', '4.5', '3', '0.25', '1'],
      filter: [
        'color=c=black:s=1280x720:r=25:d=10[base]',
        '[0:v:0]null[in0u0];[in0u0]scale=640:360:force_original_aspect_ratio=decrease:flags=bilinear,pad=640:360',
        '[base][p0u0]overlay=x=0:y=0:eof_action=pass[v0u0]',
        // Both of Bob's parts go to his tile.
        'overlay=x=640:y=0:eof_action=pass[v1u0]',
        'overlay=x=640:y=0:eof_action=pass[v2u0]',
        'overlay=x=0:y=360:eof_action=pass[v3u0]',
        'text=carol (screen):fontsize=30',
        'anullsrc=r=48000:cl=stereo,atrim=duration=10[abed]',
        '[4:a:0]aresample=async=1:first_pts=0',
        '[abed][a0][a1]amix=inputs=3:duration=first:dropout_transition=0:normalize=0[aout]',
      ],
      absent: ['enable='],
      durationMs: 10_000,
    },
    {
      name: 'speaker: stage follows the speaker, the screen share takes it while present',
      manifest: meeting,
      layout: 'speaker' as const,
      inputs: ['aliceCam-1', 'bobCam-1', 'bobCam-2', 'carolScreen-1', 'aliceMic-1', 'bobMic-1'],
      offsets: ['0.5', '1', '4.5', '3', '0.25', '1'],
      filter: [
        '[0:v:0]split=2[in0u0][in0u1]',
        // Alice on stage 0-3 s, in her strip slot afterwards.
        "[base][p0u0]overlay=x=0:y=0:eof_action=pass:enable='between(t,0,3)'[v0u0]",
        "overlay=x=320:y=540:eof_action=pass:enable='between(t,3,10)'",
        // Bob on stage from 6 s (after the share), also through the silence at 8 s.
        "overlay=x=0:y=0:eof_action=pass:enable='between(t,6,10)'[v1u0]",
        "overlay=x=640:y=540:eof_action=pass:enable='between(t,0,6)'[v1u1]",
        "overlay=x=0:y=0:eof_action=pass:enable='between(t,3,6)'[v3u0]",
      ],
      absent: [],
      durationMs: 10_000,
    },
    {
      name: 'after a crash: no endedAt, the last part end is the end',
      manifest: {
        ...meeting,
        endedAt: null,
        tracks: [track('a', 'alice', 'video', 'camera', [[0, 7.5]])],
        speakers: [],
      },
      layout: 'grid' as const,
      inputs: ['a-1'],
      offsets: ['0'],
      filter: [
        'color=c=black:s=1280x720:r=25:d=7.5[base]',
        '[base][p0u0]overlay=x=0:y=0:eof_action=pass[v0u0]',
        '[abed]amix=inputs=1',
      ],
      absent: ['[a0]'],
      durationMs: 7500,
    },
    {
      name: 'nothing recorded: black and silence',
      manifest: { ...meeting, tracks: [] },
      layout: 'speaker' as const,
      inputs: [],
      offsets: [],
      filter: ['[base]format=yuv420p[vout]', '[abed]amix=inputs=1'],
      absent: ['overlay', 'drawtext'],
      durationMs: 10_000,
    },
  ])('$name', ({ manifest, layout, inputs, offsets, filter, absent, durationMs }) => {
    const plans = buildCompositePlans(manifest, { ...paths, layout });
    expect(plans.durationMs).toBe(durationMs);
    const { video } = plans;
    const videoInputs = video.inputs.map((i) => i.source);
    expect(videoInputs).toEqual(inputs.map((name) => `/rec/${name}.mkv`));
    expect(video.inputs.map((i) => valueOf(i.options, '-itsoffset'))).toEqual(offsets);
    const args = toArgs(video);
    const graph = valueOf(args, '-filter_complex');
    for (const part of filter) expect(graph).toContain(part);
    for (const part of absent) expect(graph).not.toContain(part);
    expect(args).toContain('-copyts');
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-preset')).toBe('superfast');
    expect(valueOf(args, '-pix_fmt')).toBe('yuv420p');
    expect(valueOf(args, '-movflags')).toBe('+faststart');
    expect(valueOf(args, '-progress')).toBe('pipe:2');
    expect(valueOf(args, '-threads')).toBe('1');
    expect(valueOf(args, '-t')).toBe(String(durationMs / 1000));
    expect(args.at(-1)).toBe('/rec/out.mp4');
    // The M4A: the MP4's mix, copied out.
    const audioArgs = toArgs(plans.audio);
    expect(plans.audio.inputs.map((i) => i.source)).toEqual(['/rec/out.mp4']);
    expect(valueOf(audioArgs, '-c:a')).toBe('copy');
    expect(audioArgs).toContain('-vn');
    expect(audioArgs.at(-1)).toBe('/rec/out.m4a');
  });

  it.each([
    { name: 'odd width', options: { width: 1279 }, error: /even/ },
    { name: 'zero fps', options: { fps: 0 }, error: /fps/ },
    { name: 'negative threads', options: { threads: -1 }, error: /threads/ },
    { name: 'preset that is an option', options: { preset: 'fast -y' }, error: /preset/ },
    { name: 'unknown layout', options: { layout: 'mosaic' as 'grid' }, error: /layout/ },
  ])('rejects $name', ({ options, error }) => {
    expect(() => buildCompositePlans(meeting, { ...paths, layout: 'grid', ...options })).toThrow(
      error,
    );
  });

  it('honours size, frame rate, threads and preset', () => {
    const options = { width: 640, height: 360, fps: 30, threads: 2, preset: 'ultrafast' };
    const args = toArgs(
      buildCompositePlans(meeting, { ...paths, layout: 'grid', ...options }).video,
    );
    expect(valueOf(args, '-filter_complex')).toContain('color=c=black:s=640x360:r=30:d=10');
    expect(valueOf(args, '-threads')).toBe('2');
    expect(valueOf(args, '-preset')).toBe('ultrafast');
    expect(valueOf(args, '-r')).toBe('30');
  });
});

describe('stageSegments', () => {
  it('keeps the last speaker through silence and gives the stage to a screen share', () => {
    const segments = stageSegments(meeting).map((s) => [s.from, s.to, s.track.producerId]);
    expect(segments).toEqual([
      [0, 3, 'aliceCam'],
      [3, 6, 'carolScreen'],
      [6, 10, 'bobCam'],
    ]);
  });
});

const hostile = [
  { name: 'plain', input: 'Alice', escaped: 'Alice' },
  { name: 'quote', input: "O'Neil", escaped: "O\\\\\\'Neil" },
  { name: 'colon', input: 'a:b', escaped: 'a\\\\:b' },
  { name: 'backslash', input: 'a\\b', escaped: 'a\\\\\\\\b' },
  { name: 'percent expansion', input: '100% %{pts}', escaped: '100% %{pts}' },
  { name: 'graph separators', input: 'x[0:v];y,z', escaped: 'x\\[0\\\\:v\\]\\;y\\,z' },
  { name: 'option injection', input: "a':fontsize=200:text='b", escaped: '' },
];

describe('names drawn by drawtext', () => {
  it.each(hostile.filter((h) => h.escaped))('escapes $name', ({ input, escaped }) => {
    expect(escapeValue(input)).toBe(escaped);
  });

  it('cleans control characters and long names', () => {
    expect(cleanName('  Bob\n\tSmith\u0000 ')).toBe('Bob  Smith');
    expect(cleanName('')).toBe('?');
    expect([...cleanName('x'.repeat(100))]).toHaveLength(40);
  });

  it('FFmpeg draws every hostile name exactly as the literal text', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-names-'));
    try {
      const font = escapeValue(DEFAULT_FONT);
      const render = async (drawtext: string): Promise<Buffer> => {
        const { stdout } = await run(
          'ffmpeg',
          [
            ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'color=s=320x32:d=0.04'],
            ...[
              '-filter_complex',
              `[0:v]${drawtext}:fontfile=${font}:fontsize=12:fontcolor=white[v]`,
            ],
            ...['-map', '[v]', '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'],
          ],
          { encoding: 'buffer' },
        );
        return stdout;
      };
      for (const [i, { input }] of hostile.entries()) {
        const name = cleanName(input);
        // textfile= reads the name from a file: the reference, with no escaping involved.
        const file = path.join(dir, `name${i}.txt`);
        await fs.writeFile(file, name);
        const literal = await render(`drawtext=expansion=none:textfile=${file}`);
        const escaped = await render(`drawtext=expansion=none:text=${escapeValue(name)}`);
        expect(escaped.equals(literal), input).toBe(true);
        expect(
          literal.some((v) => v > 128),
          input,
        ).toBe(true);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
