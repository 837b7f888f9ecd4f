// The physical floor of a join (issue #15): two RTCPeerConnections in one page, one sending the
// fake camera at a given capture size to the other, from `new RTCPeerConnection` to the first
// decoded frame the receiving <video> presents. No server, no signaling round trips, no app:
// what WebRTC itself needs on this machine (offer/answer, ICE, DTLS, the first keyframe
// encoded, sent, decoded). A join is reported as a ratio to it, measured in the same run.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newBenchPage } from './browser.ts';

/** ms after the first RTCPeerConnection was created; NaN when not seen. */
export interface FloorTimes {
  negotiated: number;
  iceChecking: number;
  ice: number;
  dtls: number;
  /** The first frame's last packet arrived (rVFC's receiveTime). */
  frameReceived: number;
  firstFrame: number;
  /** The first decoded frame's size. */
  width: number;
  height: number;
}

export interface CaptureSize {
  width: number;
  height: number;
  fps: number;
}

/** Runs in the page (no DOM lib in the tests' tsconfig: narrow local types). */
async function floorInPage(size: CaptureSize): Promise<FloorTimes> {
  type Track = { stop(): void };
  type Stream = { getTracks(): Track[]; getVideoTracks(): Track[] };
  type Listener = (e: Record<string, unknown>) => void;
  type Pc = {
    addEventListener(type: string, fn: Listener): void;
    addTrack(t: Track, s: Stream): void;
    addIceCandidate(c: unknown): Promise<void>;
    createOffer(): Promise<unknown>;
    createAnswer(): Promise<unknown>;
    setLocalDescription(d: unknown): Promise<void>;
    setRemoteDescription(d: unknown): Promise<void>;
    close(): void;
    iceConnectionState: string;
    connectionState: string;
  };
  type Video = {
    srcObject: unknown;
    muted: boolean;
    autoplay: boolean;
    playsInline: boolean;
    videoWidth: number;
    videoHeight: number;
    requestVideoFrameCallback(cb: (now: number, meta: { receiveTime?: number }) => void): number;
    remove(): void;
  };
  const g = globalThis as unknown as {
    RTCPeerConnection: new (config: object) => Pc;
    MediaStream: new (tracks: Track[]) => Stream;
    navigator: { mediaDevices: { getUserMedia(c: object): Promise<Stream> } };
    document: {
      createElement(tag: 'video'): Video;
      body: { append(v: Video): void };
    };
  };
  const stream = await g.navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { width: { exact: size.width }, height: { exact: size.height }, frameRate: size.fps },
  });
  // As on the pre-join screen, the camera is running before the clock starts.
  const preview = g.document.createElement('video');
  Object.assign(preview, { muted: true, autoplay: true, playsInline: true, srcObject: stream });
  g.document.body.append(preview);
  await new Promise<void>((resolve) => preview.requestVideoFrameCallback(() => resolve()));

  const marks: Partial<Record<keyof FloorTimes, number>> = {};
  const t0 = performance.now();
  const at = (): number => performance.now() - t0;
  const send = new g.RTCPeerConnection({ iceServers: [] });
  const recv = new g.RTCPeerConnection({ iceServers: [] });
  const video = g.document.createElement('video');
  Object.assign(video, { muted: true, autoplay: true, playsInline: true });
  g.document.body.append(video);
  try {
    const frame = new Promise<void>((resolve) => {
      recv.addEventListener('track', (e) => {
        video.srcObject = new g.MediaStream([e.track as Track]);
        video.requestVideoFrameCallback((_, meta) => {
          marks.firstFrame = at();
          if (meta.receiveTime !== undefined) marks.frameReceived = meta.receiveTime - t0;
          resolve();
        });
      });
    });
    send.addEventListener('icecandidate', (e) => void recv.addIceCandidate(e.candidate ?? null));
    recv.addEventListener('icecandidate', (e) => void send.addIceCandidate(e.candidate ?? null));
    recv.addEventListener('iceconnectionstatechange', () => {
      const s = recv.iceConnectionState;
      if (s === 'checking') marks.iceChecking ??= at();
      if (s === 'connected' || s === 'completed') marks.ice ??= at();
    });
    recv.addEventListener('connectionstatechange', () => {
      if (recv.connectionState === 'connected') marks.dtls ??= at();
    });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error('no camera track');
    send.addTrack(track, stream);
    const offer = await send.createOffer();
    await send.setLocalDescription(offer);
    await recv.setRemoteDescription(offer);
    const answer = await recv.createAnswer();
    await recv.setLocalDescription(answer);
    await send.setRemoteDescription(answer);
    marks.negotiated = at();
    await frame;
    return {
      negotiated: marks.negotiated,
      iceChecking: marks.iceChecking ?? Number.NaN,
      ice: marks.ice ?? Number.NaN,
      dtls: marks.dtls ?? Number.NaN,
      frameReceived: marks.frameReceived ?? Number.NaN,
      firstFrame: marks.firstFrame ?? Number.NaN,
      width: video.videoWidth,
      height: video.videoHeight,
    };
  } finally {
    send.close();
    recv.close();
    for (const t of stream.getTracks()) t.stop();
    video.remove();
    preview.remove();
  }
}

export interface RtcFloor {
  /** One measurement: a fresh camera, two fresh connections, first decoded frame. */
  measure(): Promise<FloorTimes>;
  close(): Promise<void>;
}

/**
 * A page for floor measurements in `browser` (give it a browser of its own: pages of one
 * Chromium share its fake camera, see Browsers). `origin` is a loopback http origin (a secure
 * context for getUserMedia); the page is served by a route, nothing is fetched from it.
 */
export async function openRtcFloor(
  browser: Browser,
  origin: string,
  size: CaptureSize,
): Promise<RtcFloor> {
  const { context, page }: { context: BrowserContext; page: Page } = await newBenchPage(browser, {
    label: 'floor',
    capture: 'hd',
  });
  const url = `${origin}/__rtc-floor`;
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>floor</title>' }),
  );
  await page.goto(url);
  return {
    // The decoded size is in the result: libwebrtc may start below the capture size when
    // its first bitrate estimate is low.
    measure: () => page.evaluate(floorInPage, size),
    close: () => context.close(),
  };
}
