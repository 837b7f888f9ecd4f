import type { BrowserContext, Page } from 'playwright-core';

/** The second camera's id and label as the page's enumerateDevices lists it. */
export const MAGENTA_CAMERA = { deviceId: 'test-magenta-camera', label: 'Magenta test camera' };

/**
 * Runs in the page before the app: a second camera beside Chromium's fake one. It is listed by
 * enumerateDevices and captured by getUserMedia when asked for by its id: a canvas painted
 * magenta (with a moving stripe, so the encoder has frames to send), so a tile showing it is
 * told from one showing Chromium's own fake camera, which is never magenta. `__unplugCamera()`
 * does what pulling out its cable does: the device leaves the list, its tracks end (`ended`)
 * and `devicechange` fires. Plain JavaScript: the test tsconfig has no DOM types.
 */
const SCRIPT = `(() => {
  const md = navigator.mediaDevices;
  if (!md) return;
  const CAM = ${JSON.stringify(MAGENTA_CAMERA)};
  let plugged = true;
  const live = [];
  const realList = md.enumerateDevices.bind(md);
  const realCapture = md.getUserMedia.bind(md);
  md.enumerateDevices = async () => {
    const all = await realList();
    if (!plugged) return all;
    return [...all, { deviceId: CAM.deviceId, kind: 'videoinput', label: CAM.label, groupId: 'test' }];
  };
  const wanted = (video) => {
    const id = video && typeof video === 'object' ? video.deviceId : undefined;
    return id === CAM.deviceId || (id && (id.exact === CAM.deviceId || id.ideal === CAM.deviceId));
  };
  md.getUserMedia = async (constraints) => {
    if (!wanted(constraints && constraints.video)) return realCapture(constraints);
    if (!plugged) throw new DOMException('the camera is unplugged', 'NotFoundError');
    const audio = constraints.audio ? await realCapture({ audio: constraints.audio }) : null;
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 180;
    const g = canvas.getContext('2d');
    let x = 0;
    const paint = () => {
      g.fillStyle = '#ff00ff';
      g.fillRect(0, 0, 320, 180);
      g.fillStyle = '#c000c0';
      g.fillRect(x, 0, 16, 180);
      x = (x + 8) % 320;
    };
    paint();
    const timer = setInterval(paint, 66);
    const track = canvas.captureStream(15).getVideoTracks()[0];
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({ ...settings(), deviceId: CAM.deviceId });
    Object.defineProperty(track, 'label', { value: CAM.label });
    live.push({ track, timer });
    return new MediaStream([track, ...(audio ? audio.getAudioTracks() : [])]);
  };
  window.__unplugCamera = () => {
    plugged = false;
    for (const { track, timer } of live) {
      clearInterval(timer);
      if (track.readyState === 'live') {
        track.stop();
        track.dispatchEvent(new Event('ended'));
      }
    }
    md.dispatchEvent(new Event('devicechange'));
  };
})();`;

/** Gives every page of `context` the magenta second camera. */
export async function addSecondCamera(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: SCRIPT });
}

/** Pulls the magenta camera's cable, as far as the page can tell. */
export async function unplugCamera(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { __unplugCamera(): void }).__unplugCamera());
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The mean colour of what `page`'s camera tile of `peerId` shows now; null before a frame. */
export async function tileColour(page: Page, peerId: string): Promise<Rgb | null> {
  return page.evaluate((id) => {
    type Ctx = {
      drawImage(v: unknown, x: number, y: number, w: number, h: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    };
    type Canvas = { width: number; height: number; getContext(t: string): Ctx };
    const doc = (
      globalThis as unknown as {
        document: {
          querySelector(s: string): { videoWidth: number } | null;
          createElement(t: string): unknown;
        };
      }
    ).document;
    const video = doc.querySelector(`video[data-tile-peer="${id}"][data-tile-source="camera"]`);
    if (!video || video.videoWidth === 0) return null;
    const canvas = doc.createElement('canvas') as Canvas;
    canvas.width = 16;
    canvas.height = 9;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0, 16, 9);
    const data = ctx.getImageData(0, 0, 16, 9).data;
    const sum = { r: 0, g: 0, b: 0 };
    for (let i = 0; i < data.length; i += 4) {
      sum.r += data[i] ?? 0;
      sum.g += data[i + 1] ?? 0;
      sum.b += data[i + 2] ?? 0;
    }
    const n = data.length / 4;
    return { r: sum.r / n, g: sum.g / n, b: sum.b / n };
  }, peerId);
}

/** Magenta as a video encoder leaves it: much red and blue, little green. */
export function isMagenta(c: Rgb | null): boolean {
  return c !== null && c.r > 150 && c.b > 150 && c.g < 100;
}
