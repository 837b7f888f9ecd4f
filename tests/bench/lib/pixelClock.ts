// A clock drawn into a camera, read back from a <video> elsewhere: glass-to-glass latency over
// whatever is in between (WebRTC, SFU, FFmpeg, HLS, a player). Both ends run in the same
// Chromium on the same machine, so they share one wall clock (Date.now()).
//
// The code: Date.now() mod 2^32 as 32 cells of black (0) or white (1) across the top of the
// picture, in two rows of 16, and its bitwise complement in the two rows below. A frame whose
// rows do not complement each other (a cell caught mid-change, or blurred by the encoder) is
// discarded rather than misread.

import type { Page } from 'playwright-core';

/** Share of the picture's height the four code rows take (each cell is 1/16 of the width). */
const ROWS = 4;
const COLUMNS = 16;

export interface ClockSource {
  width: number;
  height: number;
  fps: number;
}

/**
 * Init script for the publishing page: getUserMedia returns a canvas (the clock, redrawn every
 * 10 ms) as the camera and a quiet tone as the microphone; nothing else of the app changes.
 */
export function clockCameraScript(source: ClockSource): void {
  type Ctx = { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void };
  type Canvas = {
    width: number;
    height: number;
    getContext(k: '2d'): Ctx;
    captureStream(fps: number): { getVideoTracks(): unknown[] };
  };
  type Stream = { addTrack(t: unknown): void };
  type AudioCtx = {
    createOscillator(): { connect(n: unknown): void; start(): void; frequency: { value: number } };
    createGain(): { connect(n: unknown): void; gain: { value: number } };
    createMediaStreamDestination(): { stream: { getAudioTracks(): unknown[] } };
  };
  const g = globalThis as unknown as {
    document: { createElement(t: 'canvas'): Canvas };
    navigator: { mediaDevices: object };
    MediaStream: new () => Stream;
    AudioContext: new () => AudioCtx;
  };
  const cols = 16;
  const canvas = g.document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const ctx = canvas.getContext('2d');
  const cell = source.width / cols;
  ctx.fillStyle = '#404040';
  ctx.fillRect(0, 0, source.width, source.height);
  const draw = (): void => {
    const code = Date.now() % 2 ** 32;
    for (let bit = 0; bit < 32; bit++) {
      const one = Math.floor(code / 2 ** bit) % 2 === 1;
      const [row, col] = [Math.floor(bit / cols), bit % cols];
      ctx.fillStyle = one ? '#ffffff' : '#000000';
      ctx.fillRect(col * cell, row * cell, cell, cell);
      ctx.fillStyle = one ? '#000000' : '#ffffff';
      ctx.fillRect(col * cell, (row + 2) * cell, cell, cell);
    }
  };
  draw();
  setInterval(draw, 10);
  const getUserMedia = (constraints: { audio?: unknown; video?: unknown }): Promise<Stream> => {
    const stream = new g.MediaStream();
    if (constraints.video) stream.addTrack(canvas.captureStream(source.fps).getVideoTracks()[0]);
    if (constraints.audio) {
      const audio = new g.AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      const out = audio.createMediaStreamDestination();
      tone.frequency.value = 440;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(out);
      tone.start();
      stream.addTrack(out.stream.getAudioTracks()[0]);
    }
    return Promise.resolve(stream);
  };
  Object.defineProperty(g.navigator.mediaDevices, 'getUserMedia', { value: getUserMedia });
}

export interface ClockSample {
  /** Date.now() when the frame was about to be shown. */
  at: number;
  /** `at` minus the clock drawn in the frame. */
  latencyMs: number;
  /** Media buffered ahead of the playhead then (the player's hold-back), seconds. */
  aheadS: number;
}

/**
 * Starts reading the clock from every frame `selector`'s <video> presents
 * (requestVideoFrameCallback): the code strip is drawn onto a small canvas, one pixel per cell
 * centre region, and decoded.
 */
export async function startClockReader(page: Page, selector = 'video'): Promise<void> {
  await page.evaluate(
    ({ selector, rows, cols }) => {
      type Ctx = {
        drawImage(...a: unknown[]): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
      type Video = {
        videoWidth: number;
        currentTime: number;
        buffered: { length: number; end(i: number): number };
        requestVideoFrameCallback(cb: () => void): number;
        cancelVideoFrameCallback(h: number): void;
      };
      const g = globalThis as unknown as {
        document: {
          querySelector(s: string): Video | null;
          createElement(t: 'canvas'): { width: number; height: number; getContext(k: '2d', o: object): Ctx }; // prettier-ignore
        };
        __clock?: { samples: ClockSample[]; bad: number; stop(): void };
      };
      const video = g.document.querySelector(selector);
      if (!video) throw new Error(`no ${selector}`);
      // 4 canvas pixels per cell: the middle of each is what the cell's centre looked like.
      const canvas = g.document.createElement('canvas');
      canvas.width = cols * 4;
      canvas.height = rows * 4;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      const state = { samples: [] as ClockSample[], bad: 0, stop: () => undefined as void };
      g.__clock = state;
      let handle = 0;
      const onFrame = (): void => {
        handle = video.requestVideoFrameCallback(onFrame);
        const w = video.videoWidth;
        if (w === 0) return;
        const cell = w / cols;
        ctx.drawImage(video, 0, 0, w, rows * cell, 0, 0, cols * 4, rows * 4);
        const px = ctx.getImageData(0, 0, cols * 4, rows * 4).data;
        const bitAt = (row: number, col: number): number => {
          const i = ((row * 4 + 2) * cols * 4 + col * 4 + 2) * 4;
          return (px[i] ?? 0) + (px[i + 1] ?? 0) + (px[i + 2] ?? 0) > 3 * 128 ? 1 : 0;
        };
        let code = 0;
        for (let bit = 0; bit < 32; bit++) {
          const [row, col] = [Math.floor(bit / cols), bit % cols];
          const b = bitAt(row, col);
          if (b === bitAt(row + 2, col)) {
            state.bad += 1;
            return;
          }
          code += b * 2 ** bit;
        }
        const at = Date.now();
        const latencyMs = (((at % 2 ** 32) - code) + 2 ** 32) % 2 ** 32; // prettier-ignore
        const b = video.buffered;
        const aheadS = b.length ? b.end(b.length - 1) - video.currentTime : 0;
        state.samples.push({ at, latencyMs, aheadS });
      };
      handle = video.requestVideoFrameCallback(onFrame);
      state.stop = () => video.cancelVideoFrameCallback(handle);
    },
    { selector, rows: ROWS, cols: COLUMNS },
  );
}

/** Stops the reader; returns its samples and how many frames failed the complement check. */
export async function stopClockReader(
  page: Page,
): Promise<{ samples: ClockSample[]; bad: number }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      __clock?: { samples: ClockSample[]; bad: number; stop(): void };
    };
    const state = g.__clock;
    if (!state) return { samples: [], bad: 0 };
    state.stop();
    delete g.__clock;
    return { samples: state.samples, bad: state.bad };
  });
}
