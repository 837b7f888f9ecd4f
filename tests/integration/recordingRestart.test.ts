// Issue 18: "a server restart during a meeting finalizes what was recorded". The real server
// in a child process records a load bot (WebRTC, a real clip), is killed with SIGKILL half-way,
// and the next start on the same data directory composes what was written.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreateRoomResponse, RecordingInfo, RecordingLinks } from '@parley/protocol';
import { Bot } from '../load/Bot.ts';
import { loadClip } from '../load/clip.ts';
import { TestClient, eventually } from './support/client.ts';
import { startParleyProcess } from './support/parleyProcess.ts';
import type { ParleyProcess } from './support/parleyProcess.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-rec-restart-'));
const ENV = {
  SFU: 'on',
  SFU_WORKERS: '1',
  SFU_PORT: '0',
  SFU_RTC_MIN_PORT: '44000',
  SFU_RTC_MAX_PORT: '44099',
  RECORDING_RTP_PORTS: '44100-44199',
  RECORDING_MIN_FREE_MB: '1',
  HLS: 'off',
  // The bot speaks only the SFU: two people are an SFU room.
  MESH_MAX_PEERS: '1',
  JWT_SECRET: 'a-secret-for-this-test-of-32-characters',
};
const running: ParleyProcess[] = [];
const clients: TestClient[] = [];
const bots: Bot[] = [];

/** FFmpeg processes working for this test's server (its recorders, its composites). */
function recordersOf(dir: string): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes('ffmpeg') && line.includes(dir))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

function killOrphans(): void {
  for (const pid of recordersOf(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await Promise.all(bots.map((b) => b.close()));
  for (const c of clients) c.ws.terminate();
  await Promise.all(running.map((p) => p.kill()));
  killOrphans();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server killed while it records', () => {
  it('composes what was recorded when it starts again', async () => {
    const first = await startParleyProcess(dataDir, ENV);
    running.push(first);
    const created = await fetch(`${first.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    const { id, hostKey } = (await created.json()) as CreateRoomResponse;
    const host = await TestClient.ready(first.url);
    clients.push(host);
    await host.join(id, 'Host', hostKey);
    const bot = new Bot({
      url: first.url,
      roomId: id,
      name: 'bot-speaker',
      publish: ['audio', 'video'],
      clip: loadClip(),
    });
    bots.push(bot);
    await bot.join();
    await bot.published;

    const reply = await host.request({ type: 'record', on: true });
    expect(reply).toMatchObject({ type: 'recording-state', recording: true });
    const recordedFrom = Date.now();
    await new Promise((r) => setTimeout(r, 6_000));
    await first.kill();
    const recordedS = (Date.now() - recordedFrom) / 1000;
    await bot.close();
    // SIGKILL leaves the recorders running, orphans: the next start kills them.
    const orphans = recordersOf(path.join(dataDir, 'recordings'));
    expect(orphans.length).toBeGreaterThanOrEqual(2);

    const second = await startParleyProcess(dataDir, ENV);
    running.push(second);
    await eventually(() => orphans.every((pid) => !alive(pid)), 10_000);
    const headers = { 'x-host-key': hostKey };
    const list = async () =>
      (
        (await (await fetch(`${second.url}/api/rooms/${id}/recordings`, { headers })).json()) as {
          recordings: RecordingInfo[];
        }
      ).recordings;
    await eventually(async () => (await list())[0]?.status === 'ready', 90_000);
    const [recording] = await list();
    const links = (await (
      await fetch(`${second.url}/api/recordings/${recording?.id}/links`, {
        method: 'POST',
        headers,
      })
    ).json()) as RecordingLinks;
    const mp4 = path.join(dataDir, 'download.mp4');
    writeFileSync(mp4, Buffer.from(await (await fetch(second.url + links.mp4)).arrayBuffer()));
    const probe = JSON.parse(
      execFileSync(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', mp4],
        { encoding: 'utf8' },
      ),
    ) as { format: { duration: string }; streams: { codec_name: string }[] };
    const duration = Number(probe.format.duration);
    console.log(`restart: ${duration.toFixed(2)} s composed of ${recordedS.toFixed(2)} s recorded`);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    // What was written before the kill: up to the last second's cluster may be lost.
    expect(duration).toBeGreaterThan(recordedS - 2.5);
    expect(duration).toBeLessThan(recordedS + 1);
  });
});
