import { describe, expect, it } from 'vitest';
import { buildFfmpegPlan, toArgs, type EncodeOptions } from './ffmpegArgs.ts';

const base: EncodeOptions = {
  sdpPath: '/w/in.sdp',
  rtpVideo: true,
  rtpAudioCount: 1,
  workDir: '/w',
};

/** The value following `flag` in an argument list (the first occurrence). */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('buildFfmpegPlan', () => {
  it.each([
    {
      name: 'video + one audio over RTP',
      options: base,
      inputs: ['/w/in.sdp'],
      filter: ['[0:v:0]scale=1280:720', '[0:a:0]aresample=async=1000:first_pts=0[aout]'],
      maps: ['[vout]', '[aout]'],
    },
    {
      name: 'video, no audio: silence',
      options: { ...base, rtpAudioCount: 0 },
      inputs: ['/w/in.sdp', 'anullsrc=r=48000:cl=stereo'],
      filter: ['[0:v:0]scale'],
      maps: ['[vout]', '1:a:0'],
    },
    {
      name: 'audio only (two mixed): black video',
      options: { ...base, rtpVideo: false, rtpAudioCount: 2 },
      inputs: ['/w/in.sdp', 'color=c=black:s=1280x720:r=30'],
      filter: [
        '[1:v:0]scale',
        '[0:a:0][0:a:1]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0',
      ],
      maps: ['[vout]', '[aout]'],
    },
    {
      name: 'nothing over RTP: black and silence, no SDP',
      options: { ...base, sdpPath: undefined, rtpVideo: false, rtpAudioCount: 0 },
      inputs: ['color=c=black:s=1280x720:r=30', 'anullsrc=r=48000:cl=stereo'],
      filter: ['[0:v:0]scale'],
      maps: ['[vout]', '1:a:0'],
    },
    {
      name: 'three voices',
      options: { ...base, rtpAudioCount: 3 },
      inputs: ['/w/in.sdp'],
      filter: ['[0:a:0][0:a:1][0:a:2]amix=inputs=3'],
      maps: ['[vout]', '[aout]'],
    },
  ])('$name', ({ options, inputs, filter, maps }) => {
    const plan = buildFfmpegPlan(options);
    expect(plan.inputs.map((i) => i.source)).toEqual(inputs);
    const args = toArgs(plan);
    const graph = valueOf(args, '-filter_complex') ?? '';
    for (const part of filter) expect(graph).toContain(part);
    expect(args.filter((_, i) => args[i - 1] === '-map')).toEqual(maps);
    const sdp = plan.inputs.find((i) => i.source.endsWith('.sdp'));
    if (sdp) {
      expect(valueOf(sdp.options, '-protocol_whitelist')).toBe('file,udp,rtp');
      expect(valueOf(sdp.options, '-f')).toBe('sdp');
      expect(valueOf(sdp.options, '-localaddr')).toBe('127.0.0.1');
    }
    for (const lavfi of plan.inputs.filter((i) => !i.source.endsWith('.sdp'))) {
      expect(lavfi.options.slice(0, 3)).toEqual(['-re', '-f', 'lavfi']);
    }
  });

  it.each([
    { segmentSeconds: 1, fps: 30, gop: '30', expr: 'expr:gte(t,n_forced*1)' },
    { segmentSeconds: 2, fps: 15, gop: '30', expr: 'expr:gte(t,n_forced*2)' },
    { segmentSeconds: 0.5, fps: 30, gop: '15', expr: 'expr:gte(t,n_forced*0.5)' },
  ])(
    'keyframes every segment: $segmentSeconds s at $fps fps',
    ({ segmentSeconds, fps, gop, expr }) => {
      const args = toArgs(buildFfmpegPlan({ ...base, segmentSeconds, fps }));
      expect(valueOf(args, '-g')).toBe(gop);
      expect(valueOf(args, '-keyint_min')).toBe(gop);
      expect(valueOf(args, '-sc_threshold')).toBe('0');
      expect(valueOf(args, '-force_key_frames')).toBe(expr);
      expect(valueOf(args, '-hls_time')).toBe(String(segmentSeconds));
      expect(valueOf(args, '-filter_complex')).toContain(`fps=${fps},`);
    },
  );

  it('encodes H.264 (low latency) + AAC into fMP4 HLS, without deleting segments', () => {
    const plan = buildFfmpegPlan({ ...base, width: 640, height: 360, videoKbps: 800, listSize: 8 });
    const args = toArgs(plan);
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-preset')).toBe('veryfast');
    expect(valueOf(args, '-tune')).toBe('zerolatency');
    expect(valueOf(args, '-b:v')).toBe('800k');
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(valueOf(args, '-f')).toBe('sdp');
    expect(args.slice(args.lastIndexOf('-f'), args.lastIndexOf('-f') + 2)).toEqual(['-f', 'hls']);
    expect(valueOf(args, '-hls_segment_type')).toBe('fmp4');
    expect(valueOf(args, '-hls_list_size')).toBe('8');
    const flags = valueOf(args, '-hls_flags') ?? '';
    expect(flags.split('+').sort()).toEqual([
      'independent_segments',
      'program_date_time',
      'temp_file',
    ]);
    expect(flags).not.toContain('delete_segments');
    expect(valueOf(args, '-hls_segment_filename')).toBe('/w/seg_%d.m4s');
    expect(valueOf(args, '-filter_complex')).toContain(
      'scale=640:360:force_original_aspect_ratio=decrease',
    );
    expect(args.at(-1)).toBe('/w/ffmpeg.m3u8');
    expect(args).toContain('-nostdin');
  });

  it('with the ladder: one decode split into a 720p and a 360p encode, each its own HLS output', () => {
    const plan = buildFfmpegPlan({ ...base, ladder: true });
    const args = toArgs(plan);
    const graph = valueOf(args, '-filter_complex') ?? '';
    expect(graph.match(/\[0:v:0\]/g)).toHaveLength(1);
    expect(graph).toContain('format=yuv420p,split=2[vout][vsplit1];[vsplit1]scale=640:360[vout1]');
    expect(graph).toContain('aresample=async=1000:first_pts=0,asplit=2[aout][aout1]');
    expect(args.filter((_, i) => args[i - 1] === '-map')).toEqual([
      '[vout]',
      '[aout]',
      '[vout1]',
      '[aout1]',
    ]);
    const all = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
    expect(all('-c:v')).toEqual(['libx264', 'libx264']);
    expect(all('-b:v')).toEqual(['2500k', '800k']);
    expect(all('-level:v')).toEqual(['3.1', '3.0']);
    expect(all('-b:a')).toEqual(['128k', '96k']);
    expect(all('-g')).toEqual(['30', '30']);
    expect(all('-hls_segment_filename')).toEqual(['/w/hi/seg_%d.m4s', '/w/lo/seg_%d.m4s']);
    expect(plan.output).toBe('/w/hi/ffmpeg.m3u8');
    expect(plan.moreOutputs?.map((o) => o.output)).toEqual(['/w/lo/ffmpeg.m3u8']);
    expect(args.at(-1)).toBe('/w/lo/ffmpeg.m3u8');
    // Each output's options come before its file: the 360p map follows the 720p file.
    expect(args.indexOf('[vout1]')).toBeGreaterThan(args.indexOf('/w/hi/ffmpeg.m3u8'));
  });

  it('without the ladder: one output, no split, as before', () => {
    const plan = buildFfmpegPlan(base);
    const args = toArgs(plan);
    expect(valueOf(args, '-filter_complex')).not.toContain('split');
    expect(plan.moreOutputs).toBeUndefined();
    expect(args.filter((a) => a === '-c:v')).toHaveLength(1);
  });

  it.each([
    { name: 'odd width', options: { width: 641 }, error: /even/ },
    { name: 'ladder on a 360p picture', options: { ladder: true, height: 360 }, error: /ladder/ },
    { name: 'zero fps', options: { fps: 0 }, error: /fps/ },
    { name: 'negative segment', options: { segmentSeconds: -1 }, error: /segmentSeconds/ },
    { name: 'tiny list', options: { listSize: 2 }, error: /listSize/ },
    { name: 'RTP without SDP', options: { sdpPath: undefined }, error: /sdpPath/ },
    { name: 'fractional audio count', options: { rtpAudioCount: 1.5 }, error: /rtpAudioCount/ },
  ])('rejects $name', ({ options, error }) => {
    expect(() => buildFfmpegPlan({ ...base, ...options })).toThrow(error);
  });
});
