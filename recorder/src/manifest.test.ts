import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ManifestError,
  gapsOf,
  readManifest,
  writeManifest,
  type RecordingManifest,
} from './manifest.ts';
import { buildRecordPlan, parseStartLine } from './recordArgs.ts';
import { toArgs } from '@parley/hls-gateway';

const T0 = 1_700_000_000_000;
const good: RecordingManifest = {
  version: 1,
  recordingId: 'r1',
  startedAt: T0,
  endedAt: T0 + 9000,
  tracks: [
    {
      producerId: 'p-1',
      peerId: 'alice',
      name: "Alice 'A' : \\ %",
      kind: 'video',
      source: 'camera',
      parts: [
        { file: 'p-1-1.mkv', startedAt: T0 + 100, endedAt: T0 + 3000 },
        { file: 'p-1-2.mkv', startedAt: T0 + 3400, endedAt: T0 + 9000 },
      ],
    },
    {
      producerId: 'p-2',
      peerId: 'alice',
      name: 'Alice',
      kind: 'audio',
      source: 'mic',
      parts: [{ file: 'p-2-1.mkv', startedAt: T0 + 50, endedAt: null }],
    },
  ],
  speakers: [
    { at: T0, peerId: 'alice' },
    { at: T0 + 10, peerId: null },
  ],
};

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function tmp(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-manifest-'));
  dirs.push(dir);
  return dir;
}

describe('manifest', () => {
  it('round-trips through an atomic write', async () => {
    const dir = await tmp();
    await writeManifest(dir, good);
    expect(await readManifest(dir)).toEqual(good);
    expect(await fs.readdir(dir)).toEqual(['manifest.json']);
  });

  const broken = (patch: (m: Record<string, unknown>) => void): unknown => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    patch(copy);
    return copy;
  };
  const firstTrack = (m: Record<string, unknown>) => (m.tracks as Record<string, unknown>[])[0]!;
  const firstPart = (m: Record<string, unknown>) =>
    (firstTrack(m).parts as Record<string, unknown>[])[0]!;

  it.each([
    { name: 'not JSON', text: '{"version":1,' },
    { name: 'wrong version', value: broken((m) => (m.version = 2)) },
    { name: 'seconds, not ms', value: broken((m) => (m.startedAt = 1_700_000_000)) },
    { name: 'ends before it starts', value: broken((m) => (m.endedAt = T0 - 1)) },
    { name: 'path traversal in a file', value: broken((m) => (firstPart(m).file = '../x-1.mkv')) },
    { name: 'a non-mkv file', value: broken((m) => (firstPart(m).file = 'p-1-1.sh')) },
    { name: 'odd producer id', value: broken((m) => (firstTrack(m).producerId = 'a/b')) },
    { name: 'audio from a camera', value: broken((m) => (firstTrack(m).kind = 'audio')) },
    { name: 'tracks not a list', value: broken((m) => (m.tracks = {})) },
    { name: 'part ends early', value: broken((m) => (firstPart(m).endedAt = T0)) },
  ])('rejects $name', async ({ text, value }) => {
    const dir = await tmp();
    await fs.writeFile(path.join(dir, 'manifest.json'), text ?? JSON.stringify(value));
    await expect(readManifest(dir)).rejects.toBeInstanceOf(ManifestError);
  });

  it('rejects a missing manifest', async () => {
    await expect(readManifest(await tmp())).rejects.toBeInstanceOf(ManifestError);
  });

  it('finds the gap between two parts', () => {
    expect(gapsOf(good)).toEqual([{ producerId: 'p-1', from: T0 + 3000, to: T0 + 3400 }]);
  });
});

describe('buildRecordPlan', () => {
  it('copies RTP into Matroska, stamped with the wall clock, bound to the loopback', () => {
    const args = toArgs(buildRecordPlan({ sdpPath: '/r/p.sdp', output: 'p-1.mkv' }));
    const joined = args.join(' ');
    expect(joined).toContain('-protocol_whitelist file,udp,rtp -f sdp -localaddr 127.0.0.1');
    expect(joined).toContain('-use_wallclock_as_timestamps 1');
    expect(joined).toContain('-i /r/p.sdp');
    expect(joined).toContain('-map 0 -c copy -f matroska -cluster_time_limit 1000');
    expect(joined).toContain('-loglevel info');
    expect(args.at(-1)).toBe('p-1.mkv');
  });

  it.each([
    { options: { sdpPath: '/r/p.sdp', output: 'p-1.mp4' } },
    { options: { sdpPath: '', output: 'p-1.mkv' } },
    { options: { sdpPath: '/r/p.sdp', output: 'p-1.mkv', rtpListenIp: 'localhost; rm' } },
  ])('rejects $options', ({ options }) => {
    expect(() => buildRecordPlan(options)).toThrow();
  });

  it.each([
    { line: '  Duration: N/A, start: 1733460000.123456, bitrate: N/A', at: 1733460000123 },
    { line: '  Duration: N/A, start: 0.000000, bitrate: N/A', at: undefined },
    { line: 'Input #0, sdp, from p.sdp:', at: undefined },
  ])('reads the start time from $line', ({ line, at }) => {
    expect(parseStartLine(line)).toBe(at);
  });
});
