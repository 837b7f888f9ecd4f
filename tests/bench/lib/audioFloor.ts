// The browser's own audio pipeline, for the walkie-talkie latency bench (issue #16): two
// RTCPeerConnections in one page, the fake microphone (a tone) sent from one to the other, and
// the receiving track played as the team page plays a channel (a muted <audio>, then
// MediaStreamSource -> GainNode -> destination, an AnalyserNode after the gain, fftSize 2048).
// The microphone is on the connection from the start but disabled, as mediasoup-client's
// `producer.pause()` leaves the app's; a measurement enables it and waits for the tone. No
// server, no signaling, no floor: capture, Opus encode, loopback, jitter buffer, decode,
// WebAudio. What a press costs above this is the app's and the server's.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newBenchPage } from './browser.ts';

export interface FloorSetup {
  /** The app's microphone constraints (app/src/team/TeamMedia.ts). */
  constraints: Record<string, boolean | number>;
  /**
   * Opus fmtp parameters added to both descriptions, e.g. `usedtx=1` (the app's codecOptions),
   * `ptime=10` for 10 ms frames (what mediasoup-client's `opusPtime` adds).
   */
  fmtp: string;
}

export interface FloorArgs {
  frequency: number;
  thresholdDb: number;
  timeoutMs: number;
  quietMs: number;
}

/** Runs in the page: builds the pair and the audio graph, leaves them on `__audioFloor`. */
async function setupInPage(setup: FloorSetup): Promise<string[]> {
  type Track = { enabled: boolean; kind: string; stop(): void };
  type Stream = { getAudioTracks(): Track[] };
  type Listener = (e: Record<string, unknown>) => void;
  type Desc = { type: string; sdp: string };
  type Pc = {
    addEventListener(type: string, fn: Listener): void;
    addTrack(t: Track, s: Stream): void;
    addIceCandidate(c: unknown): Promise<void>;
    createOffer(): Promise<Desc>;
    createAnswer(): Promise<Desc>;
    setLocalDescription(d: Desc): Promise<void>;
    setRemoteDescription(d: Desc): Promise<void>;
    getReceivers(): { jitterBufferTarget: number | null }[];
    getStats(): Promise<{ forEach(fn: (s: Record<string, unknown>) => void): void }>;
  };
  type Node = { connect(n: unknown): void };
  type Analyser = Node & {
    fftSize: number;
    frequencyBinCount: number;
    getFloatFrequencyData(a: Float32Array): void;
  };
  type Ctx = {
    sampleRate: number;
    destination: unknown;
    createMediaStreamSource(s: Stream): Node;
    createGain(): Node;
    createAnalyser(): Analyser;
  };
  const g = globalThis as unknown as Record<string, unknown> & {
    RTCPeerConnection: new (c: object) => Pc;
    MediaStream: new (t: Track[]) => Stream;
    AudioContext: new (o: object) => Ctx;
    Audio: new () => { muted: boolean; srcObject: unknown; play(): Promise<void> };
    navigator: { mediaDevices: { getUserMedia(c: object): Promise<Stream> } };
  };
  const mic = await g.navigator.mediaDevices.getUserMedia({ audio: setup.constraints });
  const track = mic.getAudioTracks()[0];
  if (!track) throw new Error('no microphone track');
  track.enabled = false;
  const send = new g.RTCPeerConnection({ iceServers: [] });
  const recv = new g.RTCPeerConnection({ iceServers: [] });
  const ctx = new g.AudioContext({ latencyHint: 'interactive' });
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  const playing = new Promise<void>((resolve) => {
    recv.addEventListener('track', (e) => {
      const stream = new g.MediaStream([e.track as Track]);
      const el = new g.Audio();
      el.muted = true;
      el.srcObject = stream;
      void el.play();
      const gain = ctx.createGain();
      ctx.createMediaStreamSource(stream).connect(gain);
      gain.connect(ctx.destination);
      gain.connect(analyser);
      resolve();
    });
  });
  send.addEventListener('icecandidate', (e) => void recv.addIceCandidate(e.candidate ?? null));
  recv.addEventListener('icecandidate', (e) => void send.addIceCandidate(e.candidate ?? null));
  send.addTrack(track, mic);
  const munge = (d: Desc): Desc => {
    const pt = /a=rtpmap:(\d+) opus\/48000/i.exec(d.sdp)?.[1];
    if (!pt || !setup.fmtp) return d;
    return { type: d.type, sdp: d.sdp.replace(new RegExp(`(a=fmtp:${pt} [^\\r\\n]*)`), `$1;${setup.fmtp}`) }; // prettier-ignore
  };
  const offer = munge(await send.createOffer());
  await send.setLocalDescription(offer);
  await recv.setRemoteDescription(offer);
  const answer = munge(await recv.createAnswer());
  await recv.setLocalDescription(answer);
  await send.setRemoteDescription(answer);
  await playing;
  g.__audioFloor = { track, analyser, ctx, recv };
  return answer.sdp.split('\r\n').filter((l) => /^a=(fmtp|ptime|maxptime)/.test(l));
}

/** Runs in the page: sets jitterBufferTarget (ms, null: default) on the receiver. */
function jitterInPage(ms: number | null): void {
  const f = (globalThis as unknown as { __audioFloor: { recv: { getReceivers(): { jitterBufferTarget: number | null }[] } } }).__audioFloor; // prettier-ignore
  for (const r of f.recv.getReceivers()) r.jitterBufferTarget = ms;
}

/**
 * Runs in the page: the microphone enabled for `holdMs` (after 300 ms to settle), and the
 * receiver's audio packets and payload bytes per second over that time (inbound-rtp, timed
 * by the last packet's arrival: exact whatever the page's load).
 */
async function rateInPage(holdMs: number): Promise<{ pps: number; payloadKbps: number }> {
  type Stats = { forEach(fn: (s: Record<string, unknown>) => void): void };
  const f = (globalThis as unknown as { __audioFloor: { track: { enabled: boolean }; recv: { getStats(): Promise<Stats> } } }).__audioFloor; // prettier-ignore
  const totals = async () => {
    let packets = 0;
    let bytes = 0;
    let at = 0;
    (await f.recv.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      packets += Number(s.packetsReceived ?? 0);
      bytes += Number(s.bytesReceived ?? 0);
      at = Math.max(at, Number(s.lastPacketReceivedTimestamp ?? 0));
    });
    return { packets, bytes, at };
  };
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  f.track.enabled = true;
  try {
    await wait(300);
    const a = await totals();
    await wait(holdMs);
    const b = await totals();
    const s = (b.at - a.at) / 1000;
    return { pps: (b.packets - a.packets) / s, payloadKbps: (8 * (b.bytes - a.bytes)) / s / 1000 };
  } finally {
    f.track.enabled = false;
  }
}

/** Runs in the page: silence, then enable the microphone and time until the tone is heard. */
async function pressInPage(args: FloorArgs): Promise<number> {
  type Analyser = { frequencyBinCount: number; fftSize: number; getFloatFrequencyData(a: Float32Array): void }; // prettier-ignore
  const f = (globalThis as unknown as { __audioFloor: { track: { enabled: boolean }; analyser: Analyser; ctx: { sampleRate: number } } }).__audioFloor; // prettier-ignore
  // The same measure as the team page's ChannelOutput.level: the loudest bin within two bins
  // of the tone, and it must be within 6 dB of the spectrum's peak.
  const heard = (): boolean => {
    const bins = new Float32Array(f.analyser.frequencyBinCount);
    f.analyser.getFloatFrequencyData(bins);
    const centre = Math.round(args.frequency / (f.ctx.sampleRate / f.analyser.fftSize));
    let tone = -Infinity;
    for (let i = centre - 2; i <= centre + 2; i++) tone = Math.max(tone, bins[i] ?? -Infinity);
    let peak = -Infinity;
    for (const v of bins) peak = Math.max(peak, v);
    return tone > args.thresholdDb && tone >= peak - 6;
  };
  f.track.enabled = false;
  let since = performance.now();
  while (performance.now() - since < args.quietMs) {
    if (heard()) since = performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  const t0 = performance.now();
  f.track.enabled = true;
  try {
    return await new Promise<number>((resolve) => {
      const timer = setInterval(() => {
        const dt = performance.now() - t0;
        if (!heard() && dt < args.timeoutMs) return;
        clearInterval(timer);
        resolve(dt < args.timeoutMs ? dt : NaN);
      }, 2);
    });
  } finally {
    f.track.enabled = false;
  }
}

export interface AudioFloor {
  /** The Opus lines of the receiver's answer (what was negotiated). */
  sdpLines: string[];
  /** One measurement: ms from enabling the microphone to the tone in the analyser; NaN: never. */
  press(args: FloorArgs): Promise<number>;
  setJitterTarget(ms: number | null): Promise<void>;
  /** Audio packets and payload kbit/s at the receiver over `holdMs` with the microphone on. */
  packetRate(holdMs: number): Promise<{ pps: number; payloadKbps: number }>;
  close(): Promise<void>;
}

/**
 * A floor page in `browser`, whose fake microphone must play the talker's tone (a Chromium
 * of its own: the file is a flag of the browser process). `origin` is a loopback origin.
 */
export async function openAudioFloor(
  browser: Browser,
  origin: string,
  setup: FloorSetup,
): Promise<AudioFloor> {
  const { context, page }: { context: BrowserContext; page: Page } = await newBenchPage(browser, {
    label: 'audio floor',
  });
  const url = `${origin}/__audio-floor`;
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>floor</title>' }),
  );
  await page.goto(url);
  const sdpLines = await page.evaluate(setupInPage, setup);
  return {
    sdpLines,
    press: (args) => page.evaluate(pressInPage, args),
    setJitterTarget: (ms) => page.evaluate(jitterInPage, ms),
    packetRate: (holdMs) => page.evaluate(rateInPage, holdMs),
    close: () => context.close(),
  };
}
