// Load bots against the real server: signaling, the waiting room, a real mediasoup worker,
// WebRTC over loopback (ICE, DTLS, SRTP) with werift, and the real FFmpeg for the clip.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomStatus } from '@parley/protocol';
import { Bot } from '../../load/Bot.ts';
import { loadClip } from '../../load/clip.ts';
import { eventually } from '../support/client.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const servers: TestServer[] = [];
const bots: Bot[] = [];
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function sfuServer(): Promise<TestServer> {
  const server = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 57000,
      rtcMaxPort: 57999,
    },
    // Two people are already an SFU room: bots speak only the SFU so far.
    meshMaxPeers: 1,
  });
  servers.push(server);
  return server;
}

function bot(options: ConstructorParameters<typeof Bot>[0]): Bot {
  const b = new Bot(options);
  bots.push(b);
  return b;
}

describe('load bots in an SFU room', () => {
  it('a publisher bot (host) admits a subscriber bot, which receives its video and audio', async () => {
    const server = await sfuServer();
    // The product default: the waiting room is on, so the host bot has to admit.
    const { id, hostKey } = await server.createRoom({});
    const publisher = bot({
      url: server.url,
      roomId: id,
      name: 'bot-pub-0',
      hostKey,
      admitPrefix: 'bot-',
      publish: ['audio', 'video'],
      clip: loadClip(),
    });
    await publisher.join();
    const subscriber = bot({ url: server.url, roomId: id, name: 'bot-sub-0', publish: [] });
    await subscriber.join();

    const status = async () =>
      (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;
    await eventually(async () => (await status()).admitted === 2, 10_000);
    expect((await status()).mode).toBe('sfu');
    expect(publisher.snapshot().role).toBe('host');
    expect(subscriber.snapshot().role).toBe('guest');

    const consumer = (kind: 'audio' | 'video') =>
      subscriber.snapshot().consumers.find((c) => c.kind === kind)?.counts;
    await eventually(
      () => (consumer('video')?.frames ?? 0) >= 30 && (consumer('audio')?.packets ?? 0) >= 50,
      20_000,
    );
    const video = consumer('video');
    expect(video?.keyframes).toBeGreaterThanOrEqual(1);
    expect(video?.firstKeyframeAt).toBeDefined();
    expect(video?.bytes).toBeGreaterThan(0);
    expect(
      subscriber
        .snapshot()
        .consumers.every((c) => c.producerPeerId === publisher.snapshot().peerId),
    ).toBe(true);
    // The publisher answered the SFU's keyframe requests from the clip's first frame.
    expect(publisher.snapshot().sent?.keyframes).toBeGreaterThanOrEqual(1);
    expect([...publisher.snapshot().errors, ...subscriber.snapshot().errors]).toEqual([]);
  });
});

describe('npm run load', () => {
  const load = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'tests/load/cli.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('documents every flag in --help', () => {
    const run = load(['--help']);
    expect(run.status).toBe(0);
    for (const flag of [
      '--url',
      '--room',
      '--host-key',
      '--password',
      '--publishers',
      '--subscribers',
      '--duration',
      '--audio-only',
      '--video-layers',
      '--max-video',
      '--max-loss',
      '--name-prefix',
      '--concurrency',
      '--metrics-token',
      '--mesh-max-peers',
      '--json',
      '--help',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('refuses a bad flag with exit code 2', () => {
    const run = load(['--publishers', 'many']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--publishers needs an integer');
  });

  it('runs a publisher and a subscriber on its own local server and prints the figures', () => {
    const run = load(['--publishers', '1', '--subscribers', '1', '--duration', '2']);
    expect(run.stderr).not.toContain('load run failed');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/bot-sub-0 +guest/);
    expect(run.stdout).toContain('total received:');
    expect(run.stdout).not.toContain('FAILED');
  });
});
