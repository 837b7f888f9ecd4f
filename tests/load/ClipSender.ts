// Plays a pre-encoded clip into a SendPeer in real time, looping: VP8 frames at the clip's
// frame rate, Opus every 20 ms, RTP timestamps running on across loops. A keyframe request
// (PLI or FIR from the SFU) restarts the video at the clip's first frame, its keyframe: the
// bot cannot encode a new one, and a jump in the picture is what a receiver then sees. A
// simulcast clip sends frame i of every layer at once (each layer its own RTP stream, as
// `layer`); a keyframe request for any layer restarts them all, since each layer's only
// keyframe is frame 0 (libwebrtc's VP8 simulcast also keyframes every layer on a request).

import type { Clip } from './clip.ts';
import { vp8Payloads } from './rtpPayload.ts';
import type { Kind } from './peer.ts';

/** Where packets go (a SendPeer in a bot; a list in a test). */
export interface RtpSink {
  /** `layer`: the simulcast layer (index in `clip.layers`) of a video packet; absent: one layer. */
  send(kind: Kind, payload: Buffer, timestamp: number, marker: boolean, layer?: number): void;
}

const TICK_MS = 10;
const OPUS_MS = 20;
/** Further behind than this (a stalled event loop), the schedule restarts instead of bursting. */
const MAX_LAG_MS = 200;

export interface SenderCounts {
  videoFrames: number;
  audioPackets: number;
  keyframes: number;
  keyframeRequests: number;
}

export class ClipSender {
  #timer: ReturnType<typeof setInterval> | undefined;
  #start = 0;
  #videoSent = 0;
  #audioSent = 0;
  #videoAt = 0;
  #audioAt = 0;
  #restart = false;
  readonly #tsBase = { video: randomU32(), audio: randomU32() };
  readonly counts: SenderCounts = {
    videoFrames: 0,
    audioPackets: 0,
    keyframes: 0,
    keyframeRequests: 0,
  };

  constructor(
    readonly clip: Clip,
    private readonly sink: RtpSink,
    private readonly kinds: ReadonlySet<Kind>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#start = this.now();
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  /** The next video frame sent is the clip's keyframe (a PLI or FIR asked for it). */
  requestKeyframe(): void {
    this.counts.keyframeRequests += 1;
    this.#restart = true;
  }

  /** The same without a request: a new receiver (a link that just came up) needs one. */
  sendKeyframe(): void {
    this.#restart = true;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Sends whatever is due by now (the timer calls it; tests call it with their own clock). */
  tick(): void {
    const elapsed = this.now() - this.#start;
    const frameMs = 1000 / this.clip.spec.fps;
    // RTP time follows the wall clock through a skip, as a stalled browser's would.
    if (elapsed - this.#videoSent * frameMs > MAX_LAG_MS)
      this.#videoSent = Math.floor(elapsed / frameMs);
    if (elapsed - this.#audioSent * OPUS_MS > MAX_LAG_MS)
      this.#audioSent = Math.floor(elapsed / OPUS_MS);
    if (this.kinds.has('video')) {
      while (this.#videoSent * frameMs <= elapsed) this.#sendFrame();
    }
    if (this.kinds.has('audio')) {
      while (this.#audioSent * OPUS_MS <= elapsed) this.#sendAudio();
    }
  }

  #sendFrame(): void {
    if (this.#restart || this.#videoAt >= this.clip.video.length) this.#videoAt = 0;
    if (this.#restart || this.#videoAt === 0) this.counts.keyframes += 1;
    this.#restart = false;
    const ts = this.#tsBase.video + Math.round((this.#videoSent * 90_000) / this.clip.spec.fps);
    const layers = this.clip.layers;
    if (layers) layers.forEach((frames, layer) => this.#sendPayloads(frames, ts, layer));
    else this.#sendPayloads(this.clip.video, ts, undefined);
    this.#videoAt += 1;
    this.#videoSent += 1;
    this.counts.videoFrames += 1;
  }

  #sendPayloads(frames: Buffer[], ts: number, layer: number | undefined): void {
    const frame = frames[this.#videoAt] ?? Buffer.alloc(0);
    // Numbered as sent, not by schedule slot: a lag skip moves RTP time on but no frame is
    // missing from the bitstream, and a gap in picture ids makes Chromium hold every later
    // frame as undecodable until it gets a keyframe (~3 s).
    const payloads = vp8Payloads(frame, this.counts.videoFrames & 0x7fff);
    payloads.forEach((p, i) => this.sink.send('video', p, ts, i === payloads.length - 1, layer));
  }

  #sendAudio(): void {
    if (this.#audioAt >= this.clip.audio.length) this.#audioAt = 0;
    const packet = this.clip.audio[this.#audioAt] ?? Buffer.alloc(0);
    const ts = this.#tsBase.audio + this.#audioSent * 960;
    // The marker starts a talkspurt (RFC 3551); one continuous one here.
    this.sink.send('audio', packet, ts, this.#audioSent === 0);
    this.#audioAt += 1;
    this.#audioSent += 1;
    this.counts.audioPackets += 1;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function randomU32(): number {
  return Math.floor(Math.random() * 0x1_0000_0000);
}
