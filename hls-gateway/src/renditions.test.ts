import { describe, expect, it } from 'vitest';
import { renderMasterPlaylist } from './m3u8.ts';
import { codecsOf, h264Level, levelArg, renditionsOf } from './renditions.ts';

const base = { width: 1280, height: 720, fps: 30, videoKbps: 2500, audioKbps: 128 };

describe('renditionsOf', () => {
  it('is the configured picture alone without the ladder, written in the run directory', () => {
    expect(renditionsOf({ ...base, ladder: false })).toEqual([
      {
        name: 'hi',
        subdir: '',
        width: 1280,
        height: 720,
        videoKbps: 2500,
        audioKbps: 128,
        level: 31,
      },
    ]);
  });

  it.each([
    { main: [1280, 720], kbps: 2500, low: [640, 360], lowKbps: 800 },
    { main: [1920, 1080], kbps: 4500, low: [640, 360], lowKbps: 800 },
    { main: [854, 480], kbps: 1200, low: [640, 360], lowKbps: 600 },
    { main: [960, 720], kbps: 2000, low: [480, 360], lowKbps: 800 },
  ])('ladder on $main: a $low rendition at $lowKbps kbit/s', ({ main, kbps, low, lowKbps }) => {
    const [width = 0, height = 0] = main;
    const [hi, lo] = renditionsOf({ ...base, width, height, videoKbps: kbps, ladder: true });
    expect(hi).toMatchObject({ name: 'hi', subdir: 'hi', width, height, videoKbps: kbps });
    expect(lo).toMatchObject({ name: 'lo', subdir: 'lo', width: low[0], height: low[1] });
    expect(lo?.videoKbps).toBe(lowKbps);
    expect(lo?.audioKbps).toBe(96);
  });

  it('refuses a ladder under a picture that is already 360p', () => {
    expect(() => renditionsOf({ ...base, width: 640, height: 360, ladder: true })).toThrow(
      /ladder/,
    );
  });
});

describe('H.264 levels and CODECS', () => {
  it.each([
    { size: [640, 360], fps: 30, kbps: 800, level: 30, arg: '3.0', codec: 'avc1.4d401e' },
    { size: [1280, 720], fps: 30, kbps: 2500, level: 31, arg: '3.1', codec: 'avc1.4d401f' },
    { size: [1280, 720], fps: 60, kbps: 4000, level: 32, arg: '3.2', codec: 'avc1.4d4020' },
    { size: [1920, 1080], fps: 30, kbps: 4500, level: 40, arg: '4.0', codec: 'avc1.4d4028' },
    { size: [640, 360], fps: 30, kbps: 12000, level: 31, arg: '3.1', codec: 'avc1.4d401f' },
  ])('$size at $fps fps, $kbps kbit/s: level $arg', ({ size, fps, kbps, level, arg, codec }) => {
    const [width = 0, height = 0] = size;
    expect(h264Level(width, height, fps, kbps)).toBe(level);
    expect(levelArg(level)).toBe(arg);
    const [hi] = renditionsOf({ ...base, width, height, fps, videoKbps: kbps, ladder: false });
    expect(hi && codecsOf(hi)).toBe(`${codec},mp4a.40.2`);
  });
});

describe('renderMasterPlaylist', () => {
  it('lists each rendition with its bandwidth, size, frame rate and codecs, highest first', () => {
    const text = renderMasterPlaylist([
      { uri: 'hi.m3u8', bandwidth: 2759400, width: 1280, height: 720, fps: 30, codecs: 'a,b' },
      { uri: 'lo.m3u8', bandwidth: 940800.4, width: 640, height: 360, fps: 30, codecs: 'c,d' },
    ]);
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=2759400,RESOLUTION=1280x720,FRAME-RATE=30.000,CODECS="a,b"',
      'hi.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=940800,RESOLUTION=640x360,FRAME-RATE=30.000,CODECS="c,d"',
      'lo.m3u8',
      '',
    ]);
  });
});
