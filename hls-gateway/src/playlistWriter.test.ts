// The playlist across FFmpeg runs, on a real directory with a fake clock.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMediaPlaylist, renderMediaPlaylist } from './m3u8.ts';
import { PlaylistWriter } from './playlistWriter.ts';

describe('parseMediaPlaylist', () => {
  const ffmpeg = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:1',
    '#EXT-X-MEDIA-SEQUENCE:3',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXTINF:1.000000,',
    '#EXT-X-PROGRAM-DATE-TIME:2026-11-29T18:18:26.511+0000',
    'seg_3.m4s',
    '#EXTINF:0.933333,',
    'seg_4.m4s',
  ].join('\n');
  it.each([
    {
      name: 'FFmpeg fMP4 playlist',
      text: ffmpeg + '\n',
      sequence: 3,
      uris: ['seg_3.m4s', 'seg_4.m4s'],
      ended: false,
    },
    {
      name: 'torn last line',
      text: ffmpeg.slice(0, -3),
      sequence: 3,
      uris: ['seg_3.m4s'],
      ended: false,
    },
    {
      name: 'CRLF and ENDLIST',
      text: ffmpeg.replaceAll('\n', '\r\n') + '\r\n#EXT-X-ENDLIST\r\n',
      sequence: 3,
      uris: ['seg_3.m4s', 'seg_4.m4s'],
      ended: true,
    },
    { name: 'empty', text: '', sequence: 0, uris: [], ended: false },
  ])('$name', ({ text, sequence, uris, ended }) => {
    const parsed = parseMediaPlaylist(text);
    expect(parsed.mediaSequence).toBe(sequence);
    expect(parsed.segments.map((s) => s.uri)).toEqual(uris);
    expect(parsed.ended).toBe(ended);
    if (uris.length) {
      expect(parsed.map).toBe('init.mp4');
      expect(parsed.segments[0]?.programDateTime).toBe('2026-11-29T18:18:26.511+0000');
    }
  });

  it('renders discontinuities, maps and RFC 3339 dates', () => {
    const text = renderMediaPlaylist({
      targetDuration: 1,
      discontinuitySequence: 2,
      ended: true,
      segments: [
        { sequence: 7, uri: 'a-7.m4s', duration: 1, map: 'a-r1-init.mp4', discontinuity: false },
        {
          sequence: 8,
          uri: 'a-8.m4s',
          duration: 0.5,
          map: 'a-r2-init.mp4',
          discontinuity: true,
          programDateTime: '2026-11-29T18:18:26.511+0000',
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-MEDIA-SEQUENCE:7',
      '#EXT-X-DISCONTINUITY-SEQUENCE:2',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="a-r1-init.mp4"',
      '#EXTINF:1.000000,',
      'a-7.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="a-r2-init.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-29T18:18:26.511Z',
      '#EXTINF:0.500000,',
      'a-8.m4s',
      '#EXT-X-ENDLIST',
      '',
    ]);
  });
});

describe('PlaylistWriter', () => {
  let dir: string;
  let work: string;
  let clock: number;
  let writer: PlaylistWriter;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-pl-'));
    work = path.join(dir, 'work');
    await fs.mkdir(work);
    clock = 0;
    writer = new PlaylistWriter({
      dir: path.join(dir, 'pub'),
      prefix: 'p',
      segmentSeconds: 1,
      windowSize: 3,
      now: () => clock,
    });
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function run(segments: number): Promise<void> {
    writer.beginRun();
    await fs.writeFile(path.join(work, 'init.mp4'), 'init');
    await writer.addInit(path.join(work, 'init.mp4'));
    for (let i = 0; i < segments; i += 1) {
      const file = path.join(work, `seg_${i}.m4s`);
      await fs.writeFile(file, `segment ${i}`);
      clock += 1000;
      await writer.addSegment(file, 1);
    }
  }

  const published = async () => (await fs.readdir(path.join(dir, 'pub'))).sort();
  const playlist = async () => fs.readFile(path.join(dir, 'pub', 'index.m3u8'), 'utf8');

  it('numbers segments across runs, marks the seam and keeps a bounded window', async () => {
    await run(2);
    await run(3);
    const text = await playlist();
    const parsed = parseMediaPlaylist(text);
    expect(parsed.mediaSequence).toBe(2);
    expect(parsed.segments.map((s) => s.uri)).toEqual(['p-2.m4s', 'p-3.m4s', 'p-4.m4s']);
    // The seam (first segment of run 2, p-2) is still listed: discontinuity sequence 0.
    expect(text).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:0\n');
    expect(text.indexOf('#EXT-X-DISCONTINUITY\n')).toBeLessThan(text.indexOf('p-2.m4s'));
    expect(text).toContain('#EXT-X-MAP:URI="p-r2-init.mp4"');
    expect(text).not.toContain('p-r1-init.mp4');
    expect(writer.segmentCount).toBe(5);
    // Work files were moved, not copied.
    expect((await fs.readdir(work)).filter((f) => f.endsWith('.m4s'))).toEqual([]);

    await run(1);
    const after = await playlist();
    expect(after).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(parseMediaPlaylist(after).mediaSequence).toBe(3);
  });

  it('deletes a segment only after it has been out of the window for a window duration', async () => {
    await run(4); // p-0 leaves the window at t=4000
    expect(await published()).toContain('p-0.m4s');
    const file = path.join(work, 'x.m4s');
    // Window lasts 3 s (+1 s target): p-0 must survive until t > 4000 + 4000.
    for (const [at, present] of [
      [7000, true],
      [8000, false],
    ] as const) {
      clock = at;
      await writer.sweep();
      expect((await published()).includes('p-0.m4s')).toBe(present);
    }
    await fs.writeFile(file, 'x');
    await writer.addSegment(file, 1);
    expect(await published()).toContain('p-r1-init.mp4');
  });

  it('drops an old run’s init once nothing refers to it, ends and purges', async () => {
    await run(1);
    await run(3); // p-0 (run 1) retired
    expect(await published()).toContain('p-r1-init.mp4');
    clock += 10_000;
    await writer.sweep();
    expect(await published()).not.toContain('p-r1-init.mp4');
    expect(await published()).not.toContain('p-0.m4s');

    await writer.end();
    expect((await playlist()).trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    await expect(writer.addSegment(path.join(work, 'none'), 1)).rejects.toThrow(/ended/);
    await writer.purge();
    expect(await published()).toEqual([]);
  });
});
