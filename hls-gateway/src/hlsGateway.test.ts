// The whole broadcast path with real parts: an FFmpeg test pattern (VP8 + Opus) produced into a
// real mediasoup worker, the gateway's FFmpeg transcoding it to HLS, the playlist served over a
// real HTTP server. Ports: mediasoup 44000-44499, gateway RTP 44500-44699, the ladder's gateway
// 44700-44799, sources 44800+.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Sfu, configureWorkerBinary, type SfuRoom } from '@parley/sfu';
import { ensureMediasoupWorker } from '../../scripts/build-mediasoup-worker.mjs';
import { HlsGateway } from './hlsGateway.ts';
import { parseMediaPlaylist } from './m3u8.ts';
import { handleHlsRequest } from './serve.ts';
import { startTestSource, type TestSource } from './testSource.ts';
import { udpBindingsOf } from '../../tests/integration/support/udp.ts';

const run = promisify(execFile);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const log = process.env.HLS_TEST_LOG ? console : quiet;

let sfu: Sfu;
let room: SfuRoom;
let source: TestSource;
let outDir: string;
let gateway: HlsGateway;
let server: http.Server;
let base: string;

beforeAll(async () => {
  configureWorkerBinary(await ensureMediasoupWorker());
  sfu = await Sfu.start({ workers: 1, rtcMinPort: 44000, rtcMaxPort: 44499, log: quiet });
  room = await sfu.createRoom('hls-it');
  source = await startTestSource(room, { localPortBase: 44800 });
  outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-hls-'));
  gateway = new HlsGateway({
    outDir,
    segmentSeconds: 1,
    fps: 15,
    width: 320,
    height: 180,
    videoKbps: 400,
    rtpPorts: { min: 44500, max: 44699 },
    log,
  });
  server = http.createServer((req, res) => {
    void handleHlsRequest(req, res, { root: outDir }).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 20 * 60_000);

afterAll(async () => {
  await gateway?.close();
  await source?.stop();
  await sfu?.close();
  server?.close();
  if (outDir) await fs.rm(outDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** CPU time of a process in seconds (utime + stime from /proc, in clock ticks of 100 Hz). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function fetchText(url: string): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  };
}

/** Every URI (segments and maps) a playlist lists. */
function listedFiles(text: string): string[] {
  const maps = [...text.matchAll(/#EXT-X-MAP:URI="([^"]+)"/g)].map((m) => m[1] ?? '');
  return [...new Set([...maps, ...parseMediaPlaylist(text).segments.map((s) => s.uri)])];
}

async function probe(
  file: string,
): Promise<{ codecs: string[]; duration: number; height: number | undefined }> {
  const { stdout } = await run('ffprobe', [
    ...[
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,height:format=start_time,duration',
      '-of',
      'json',
      file,
    ],
  ]);
  const info = JSON.parse(stdout) as {
    streams: { codec_name: string; height?: number }[];
    format: { start_time: string; duration: string };
  };
  return {
    codecs: info.streams.map((s) => s.codec_name).sort(),
    height: info.streams.find((s) => s.height !== undefined)?.height,
    // A segment's media starts where the previous one ended: its length is end - start.
    duration: Number(info.format.duration) - Number(info.format.start_time),
  };
}

describe('HlsGateway with real FFmpeg and mediasoup', () => {
  it('broadcasts, survives an FFmpeg kill and a source change, serves every listed file, stops cleanly', async () => {
    const roomId = 'room-1';
    const restarts: string[] = [];
    const ended: string[] = [];
    gateway.on('restarted', (_room, reason) => restarts.push(reason));
    gateway.on('ended', (_room, reason) => ended.push(reason));

    const t0 = Date.now();
    await gateway.start(roomId, room, {
      videoProducerId: source.videoProducerId,
      audioProducerIds: [source.audioProducerId],
    });
    await vi.waitFor(() => expect(gateway.isLive(roomId)).toBe(true), {
      timeout: 15_000,
      interval: 50,
    });
    const firstSegmentMs = Date.now() - t0;

    // Segments are H.264 + AAC, about one second long.
    await vi.waitFor(
      async () =>
        expect(
          parseMediaPlaylist((await fetchText(`${base}/hls/${roomId}/index.m3u8`)).text).segments
            .length,
        ).toBeGreaterThanOrEqual(4),
      { timeout: 15_000, interval: 200 },
    );
    const playlist = await fetchText(`${base}/hls/${roomId}/index.m3u8`);
    expect(playlist.type).toBe('application/vnd.apple.mpegurl');
    const parsed = parseMediaPlaylist(playlist.text);
    const [mapUri] = listedFiles(playlist.text);
    const segment = parsed.segments[1];
    if (!mapUri || !segment) throw new Error('playlist without map or segments');
    const init = await fetch(`${base}/hls/${roomId}/${mapUri}`);
    const media = await fetch(`${base}/hls/${roomId}/${segment.uri}`);
    expect(media.headers.get('content-type')).toBe('video/mp4');
    expect(media.headers.get('cache-control')).toContain('immutable');
    const joined = path.join(outDir, 'probe.mp4');
    await fs.writeFile(
      joined,
      Buffer.concat([
        Buffer.from(await init.arrayBuffer()),
        Buffer.from(await media.arrayBuffer()),
      ]),
    );
    const probed = await probe(joined);
    expect(probed.codecs).toEqual(['aac', 'h264']);
    expect(probed.duration).toBeGreaterThan(0.6);
    expect(probed.duration).toBeLessThan(1.6);
    for (const s of parsed.segments.slice(0, -1))
      expect(Math.abs(s.duration - 1)).toBeLessThan(0.35);

    // CPU of the gateway's FFmpeg over 4 s of steady state.
    const pid = gateway.ffmpegPid(roomId);
    if (!pid) throw new Error('no ffmpeg pid');
    const cpu0 = await cpuSeconds(pid);
    const wall0 = Date.now();
    await new Promise((r) => setTimeout(r, 4000)); // a measuring window, not a wait for state
    const cpuPercent = (((await cpuSeconds(pid)) - cpu0) / ((Date.now() - wall0) / 1000)) * 100;

    // Watch the playlist from now on: every listed file must be fetchable, numbering monotonic.
    const seenSequences: number[] = [];
    const fetched = new Map<string, number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { status, text } = await fetchText(`${base}/hls/${roomId}/index.m3u8`);
        expect(status).toBe(200);
        seenSequences.push(parseMediaPlaylist(text).mediaSequence);
        for (const file of listedFiles(text)) {
          const response = await fetch(`${base}/hls/${roomId}/${file}`);
          await response.arrayBuffer();
          fetched.set(file, response.status);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    // Kill FFmpeg: a new run continues the playlist after a discontinuity.
    const segmentsBeforeKill = gateway.secondsSinceNewestSegment(roomId);
    expect(segmentsBeforeKill).toBeLessThan(2);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await vi.waitFor(() => expect(restarts).toContain('crash'), { timeout: 5000, interval: 20 });
    const restartMs = Date.now() - killedAt;
    await vi.waitFor(
      () =>
        expect(gateway.secondsSinceNewestSegment(roomId)).toBeLessThan(
          (Date.now() - killedAt) / 1000,
        ),
      { timeout: 15_000, interval: 20 },
    );
    const gapMs = Date.now() - killedAt;
    const newPid = gateway.ffmpegPid(roomId);
    expect(newPid).toBeDefined();
    expect(newPid).not.toBe(pid);
    expect(alive(pid)).toBe(false);

    // A second source takes over the picture (FFmpeg restarts with a discontinuity).
    const other = await startTestSource(room, {
      pattern: 'testsrc2',
      tone: 660,
      localPortBase: 44810,
      peerId: 'other',
    });
    try {
      await gateway.setVideoProducer(roomId, other.videoProducerId);
      expect(restarts).toContain('video-changed');
      const switchedAt = Date.now();
      await vi.waitFor(
        () =>
          expect(gateway.secondsSinceNewestSegment(roomId)).toBeLessThan(
            (Date.now() - switchedAt) / 1000,
          ),
        { timeout: 15_000, interval: 20 },
      );
      // Keep watching the playlist for a while across both seams.
      await vi.waitFor(() => expect(Date.now() - killedAt).toBeGreaterThan(22_000), {
        timeout: 30_000,
        interval: 250,
      });
    } finally {
      watching = false;
      await watcher;
      await other.stop();
    }
    for (let i = 1; i < seenSequences.length; i += 1) {
      expect(seenSequences[i]).toBeGreaterThanOrEqual(seenSequences[i - 1] ?? 0);
    }
    expect([...fetched.values()].filter((status) => status !== 200)).toEqual([]);
    expect(fetched.size).toBeGreaterThan(15);

    const live = await fetchText(`${base}/hls/${roomId}/index.m3u8`);
    const text = live.text;
    expect(text).toContain('#EXT-X-DISCONTINUITY');

    // stop(): ENDLIST, no FFmpeg left.
    const lastPid = gateway.ffmpegPid(roomId);
    await gateway.stop(roomId);
    expect(ended).toEqual(['stopped']);
    const final = await fetchText(`${base}/hls/${roomId}/index.m3u8`);
    expect(final.text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(gateway.isLive(roomId)).toBe(false);
    if (lastPid) expect(alive(lastPid)).toBe(false);
    const pgrep = await run('pgrep', ['-f', `${outDir}/.work`]).catch((e: { code?: number }) => e);
    expect((pgrep as { code?: number }).code).toBe(1); // no process matches

    console.info('hls figures', {
      firstSegmentMs,
      cpuPercentOfCore: Math.round(cpuPercent),
      restartMs,
      gapAfterKillMs: gapMs,
      segmentsFetched: fetched.size,
    });
  }, 120_000);

  it('receives RTP on the loopback only: no FFmpeg socket is bound to another address', async () => {
    const roomId = 'room-bind';
    await gateway.start(roomId, room, {
      videoProducerId: source.videoProducerId,
      audioProducerIds: [source.audioProducerId],
    });
    try {
      await vi.waitFor(() => expect(gateway.isLive(roomId)).toBe(true), {
        timeout: 15_000,
        interval: 50,
      });
      const pid = gateway.ffmpegPid(roomId);
      if (!pid) throw new Error('no ffmpeg pid');
      const bindings = udpBindingsOf(pid);
      // RTP and RTCP for the video and the audio stream, each inside the gateway's range.
      expect(bindings.length).toBeGreaterThanOrEqual(4);
      for (const { port } of bindings) expect(port).toBeGreaterThanOrEqual(44500);
      expect(bindings.filter((b) => b.address !== '127.0.0.1')).toEqual([]);
    } finally {
      await gateway.stop(roomId);
    }
  }, 60_000);

  it('with the ladder: a master playlist naming two renditions, each of its own height', async () => {
    const roomId = 'room-ladder';
    const ladder = new HlsGateway({
      outDir,
      workDir: path.join(outDir, '.work-ladder'),
      segmentSeconds: 1,
      fps: 15,
      width: 640,
      height: 480,
      videoKbps: 1000,
      ladder: true,
      rtpPorts: { min: 44700, max: 44799 },
      log,
    });
    try {
      await ladder.start(roomId, room, {
        videoProducerId: source.videoProducerId,
        audioProducerIds: [source.audioProducerId],
      });
      await vi.waitFor(() => expect(ladder.isLive(roomId)).toBe(true), {
        timeout: 15_000,
        interval: 50,
      });
      // Live only once the master is out, and the master only once both renditions have media.
      const master = await fetchText(`${base}/hls/${roomId}/index.m3u8`);
      expect(master.text).toContain(
        '#EXT-X-STREAM-INF:BANDWIDTH=1184400,RESOLUTION=640x480,FRAME-RATE=15.000,CODECS="avc1.4d401e,mp4a.40.2"\nhi.m3u8',
      );
      expect(master.text).toContain('RESOLUTION=480x360');
      expect(master.text).toContain('lo.m3u8');
      for (const [name, height] of [
        ['hi', 480],
        ['lo', 360],
      ] as const) {
        const media = await fetchText(`${base}/hls/${roomId}/${name}.m3u8`);
        expect(media.status).toBe(200);
        const [mapUri] = listedFiles(media.text);
        const segment = parseMediaPlaylist(media.text).segments[0];
        if (!mapUri || !segment) throw new Error(`${name}: no map or segment`);
        expect(segment.uri.startsWith(`${mapUri.split('-r')[0]}`)).toBe(true);
        const parts = await Promise.all(
          [mapUri, segment.uri].map(async (file) => {
            const response = await fetch(`${base}/hls/${roomId}/${file}`);
            expect(response.status).toBe(200);
            return Buffer.from(await response.arrayBuffer());
          }),
        );
        const joined = path.join(outDir, `probe-${name}.mp4`);
        await fs.writeFile(joined, Buffer.concat(parts));
        expect(await probe(joined)).toMatchObject({ codecs: ['aac', 'h264'], height });
      }
      // One FFmpeg for both renditions.
      const pid = ladder.ffmpegPid(roomId);
      if (!pid) throw new Error('no ffmpeg pid');
      const { stdout } = await run('pgrep', ['-f', path.join(outDir, '.work-ladder')]);
      expect(stdout.trim().split('\n')).toEqual([String(pid)]);

      await ladder.stop(roomId);
      for (const name of ['hi', 'lo']) {
        const final = await fetchText(`${base}/hls/${roomId}/${name}.m3u8`);
        expect(final.text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
      }
    } finally {
      await ladder.close();
    }
  }, 60_000);
});
