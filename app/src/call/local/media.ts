import { safeGet, safeSet } from '../../api.ts';
import { log } from '../../log.ts';

/** 720p: in the SFU that is three simulcast layers, so each receiver gets what its tile needs. */
const HD_VIDEO: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

/** For slow devices, and for the end-to-end tests, where several peers share two cores. */
const SMALL_VIDEO: MediaTrackConstraints = {
  width: { ideal: 320 },
  height: { ideal: 180 },
  frameRate: { ideal: 15, max: 15 },
};

/** The camera we ask for; `localStorage['parley:capture'] = 'small'` picks 320x180 at 15 fps. */
export function videoConstraints(): MediaTrackConstraints {
  let profile: string | null = null;
  try {
    profile = localStorage.getItem('parley:capture');
  } catch {
    // Storage can be unavailable (privacy modes): take the default.
  }
  return profile === 'small' ? SMALL_VIDEO : HD_VIDEO;
}

export type MediaKind = 'audio' | 'video';

/** What the device pickers choose: a microphone, a camera, or where remote audio plays. */
export type DeviceKind = MediaKind | 'output';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface DeviceLists {
  microphones: DeviceOption[];
  cameras: DeviceOption[];
  /** Audio outputs; empty where the browser cannot choose one (no setSinkId). */
  speakers: DeviceOption[];
}

export interface AcquireResult {
  stream: MediaStream;
  /** A sentence for the user when camera and/or microphone could not be had; null when fine. */
  problem: string | null;
}

/** Device ids for a capture: `exact` ones must be had; `ideal` ones are taken when present. */
export interface DeviceIds {
  audio?: string;
  video?: string;
  strength?: 'exact' | 'ideal';
}

function constraintsFor(kind: MediaKind, ids: DeviceIds): MediaTrackConstraints | boolean {
  const base = kind === 'video' ? videoConstraints() : {};
  const deviceId = ids[kind];
  if (deviceId) return { ...base, deviceId: { [ids.strength ?? 'exact']: deviceId } };
  return kind === 'video' ? base : true;
}

/** Turns a getUserMedia rejection into words a user understands. */
export function describeMediaError(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'permission denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no suitable device found';
    case 'NotReadableError':
    case 'AbortError':
      return 'the device is in use or failed to start';
    case 'NoMediaDevices':
      return 'this browser cannot capture media here (a secure https page is needed)';
    default:
      return err instanceof Error && err.message ? err.message : 'unknown error';
  }
}

async function capture(audio: boolean, video: boolean, ids: DeviceIds) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw Object.assign(new Error('no mediaDevices'), { name: 'NoMediaDevices' });
  }
  return navigator.mediaDevices.getUserMedia({
    audio: audio ? constraintsFor('audio', ids) : false,
    video: video ? constraintsFor('video', ids) : false,
  });
}

/**
 * The one getUserMedia of a session. Falls back to audio only, then video only, then an empty
 * stream: joining must work even with no camera and no microphone (receive only).
 */
export async function acquireLocalMedia(ids: DeviceIds = {}): Promise<AcquireResult> {
  let firstError: unknown;
  try {
    return { stream: await capture(true, true, ids), problem: null };
  } catch (err) {
    firstError = err;
  }
  const why = describeMediaError(firstError);
  try {
    const stream = await capture(true, false, ids);
    return { stream, problem: `Camera unavailable: ${why}. You can still join with audio only.` };
  } catch {
    // No microphone either (or denied): try the camera alone.
  }
  try {
    const stream = await capture(false, true, ids);
    return { stream, problem: `Microphone unavailable: ${why}. You can still join with video.` };
  } catch {
    // Neither device: join receive-only.
  }
  return {
    stream: new MediaStream(),
    problem:
      `Camera and microphone unavailable: ${why}. ` +
      'You can still join receive-only: you will see and hear the others.',
  };
}

/**
 * Captures one kind from another device and puts it in the stream in place of the old track,
 * which keeps its mute state for the new one and is returned still live: the caller stops it
 * once every sender has the new track (no gap on the wire).
 */
export async function switchDevice(
  stream: MediaStream,
  kind: MediaKind,
  deviceId: string,
): Promise<{ old: MediaStreamTrack | undefined; next: MediaStreamTrack }> {
  const fresh = await capture(kind === 'audio', kind === 'video', { [kind]: deviceId });
  const next = fresh.getTracks()[0];
  if (!next) throw new Error(`no ${kind} track from the selected device`);
  const old = stream.getTracks().find((t) => t.kind === kind);
  if (old) {
    next.enabled = old.enabled;
    stream.removeTrack(old);
  }
  stream.addTrack(next);
  return { old, next };
}

/** Whether this browser can send audio to a chosen output (HTMLMediaElement.setSinkId). */
export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Device lists for the pickers (labels appear once permission has been granted). */
export async function listDevices(): Promise<DeviceLists> {
  if (!navigator.mediaDevices?.enumerateDevices) {
    return { microphones: [], cameras: [], speakers: [] };
  }
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind, noun: string) =>
    all
      .filter((d) => d.kind === kind && d.deviceId !== '')
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
  return {
    microphones: pick('audioinput', 'Microphone'),
    cameras: pick('videoinput', 'Camera'),
    speakers: canChooseOutput() ? pick('audiooutput', 'Speaker') : [],
  };
}

export function trackOf(stream: MediaStream, kind: MediaKind): MediaStreamTrack | undefined {
  return kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
}

/**
 * Whether this browser can capture a screen at all: phones cannot (neither Android's Chrome nor
 * iOS offer getDisplayMedia), so the call does not offer what would only fail (issue 19).
 */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/**
 * What a screen share is best at: `detail` (text, slides, code: full resolution, at most
 * 15 fps, and the encoder drops frames rather than sharpness) or `motion` (a video, an
 * animation: 30 fps, and it lowers resolution rather than the frame rate). Default `detail`,
 * as in Zoom ("Optimize for video clip" is off until chosen).
 */
export type ScreenHint = 'detail' | 'motion';

const SCREEN_HINT_KEY = 'parley.screenHint';

/** The hint this device chose last (localStorage). */
export function savedScreenHint(): ScreenHint {
  return safeGet(SCREEN_HINT_KEY) === 'motion' ? 'motion' : 'detail';
}

export function saveScreenHint(hint: ScreenHint): void {
  safeSet(SCREEN_HINT_KEY, hint);
}

/** The frame rate each hint allows: 30 for motion, 15 for detail. */
export function screenFrameRate(hint: ScreenHint): number {
  return hint === 'motion' ? 30 : 15;
}

/** Tells the track's encoder what it carries, and caps its frame rate to match. */
export async function applyScreenHint(track: MediaStreamTrack, hint: ScreenHint): Promise<void> {
  track.contentHint = hint;
  await track.applyConstraints({ frameRate: { max: screenFrameRate(hint) } });
}

/**
 * Screen capture for sharing: the browser asks the user what to share. Up to 1080p at 30 fps
 * (capped by the hint), with the tab's or the system's sound where the browser offers it
 * (Chrome: a tab, or the whole screen on Windows and ChromeOS); the stream then has an audio
 * track, which the call sends with the screen.
 */
export async function captureScreen(hint: ScreenHint = savedScreenHint()): Promise<MediaStream> {
  if (!canShareScreen()) {
    throw Object.assign(new Error('screen capture unsupported'), { name: 'NoMediaDevices' });
  }
  const stream = await navigator.mediaDevices.getDisplayMedia({
    video: {
      width: { max: 1920 },
      height: { max: 1080 },
      frameRate: { ideal: screenFrameRate(hint), max: 30 },
    },
    audio: true,
  });
  const video = stream.getVideoTracks()[0];
  // The capture is fine without its cap: the share goes on at the browser's frame rate.
  if (video)
    await applyScreenHint(video, hint).catch((err: unknown) => log.warn('screen hint', err));
  return stream;
}
