import type { Page } from 'playwright-core';
import { TestClient } from '../../integration/support/client.ts';
import { startTestServer } from '../../integration/support/server.ts';
import type { TestServer } from '../../integration/support/server.ts';
import type { StartOptions } from '@parley/signaling';
import { testAppDir } from './server.ts';

export type BroadcastServer = TestServer;

/**
 * The real server with the SFU (one loopback worker) and the HLS gateway (real FFmpeg) at a
 * small picture (or `hls`'s), serving the built app. Ports 41000-41499 are left alone by the
 * other suites.
 */
export async function startBroadcastServer(
  hls?: Partial<NonNullable<StartOptions['hls']>>,
): Promise<BroadcastServer> {
  return startTestServer({
    staticDir: testAppDir(),
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 41000,
      rtcMaxPort: 41499,
    },
    hls: { segmentSeconds: 1, width: 320, height: 180, fps: 15, videoKbps: 300, ...hls },
  });
}

/** A host over the WebSocket protocol (no media: the broadcast is black video and silence). */
export async function joinAsHost(
  server: BroadcastServer,
  roomId: string,
  hostKey: string,
): Promise<TestClient> {
  const host = await TestClient.ready(server.url);
  await host.join(roomId, 'Host', hostKey);
  return host;
}

/** `broadcast {live}` from the host; throws unless the reply is the matching broadcast-state. */
export async function setLive(host: TestClient, live: boolean): Promise<void> {
  const reply = await host.request({ type: 'broadcast', live });
  if (reply.type !== 'broadcast-state' || reply.live !== live) {
    throw new Error(`broadcast ${live} failed: ${JSON.stringify(reply)}`);
  }
}

export interface VideoState {
  currentTime: number;
  totalVideoFrames: number;
  paused: boolean;
  muted: boolean;
  readyState: number;
}

/** The viewer page's <video>, as the media element reports it. */
export function videoState(page: Page): Promise<VideoState> {
  return page.locator('video').evaluate((el) => {
    const v = el as unknown as {
      currentTime: number;
      paused: boolean;
      muted: boolean;
      readyState: number;
      getVideoPlaybackQuality(): { totalVideoFrames: number };
    };
    return {
      currentTime: v.currentTime,
      totalVideoFrames: v.getVideoPlaybackQuality().totalVideoFrames,
      paused: v.paused,
      muted: v.muted,
      readyState: v.readyState,
    };
  });
}
