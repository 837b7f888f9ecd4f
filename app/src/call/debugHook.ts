import type { CallController } from './CallController.ts';
import type { PeerStats } from './topology/mesh/Mesh.ts';
import { inboundOf } from './topology/rtcStats.ts';
import { warmState } from './topology/sfu/warmTransport.ts';

/** What one remote tile shows, measured from the stream attached to its <video>. */
export interface TileStats {
  peerId: string;
  source: 'camera' | 'screen';
  /** The path the shown video (or, camera-less, audio) track arrives on; null if unknown. */
  via: 'mesh' | 'sfu' | null;
  framesDecoded: number;
  /** Width of the frames decoded last (shows which simulcast layer arrives). */
  frameWidth: number;
  /** Bytes received on the tile's audio track (a microphone, a shared screen's sound). */
  audioBytesReceived: number;
  /** Bytes received on the shown video track (0 for a camera-less tile). */
  videoBytesReceived: number;
  /** Id of the shown track (changes with every swap). */
  trackId: string | null;
  /**
   * The shown video track's receive counters (inbound-rtp), for a failure message: packets
   * that arrived, keyframes among the decoded frames, PLIs and NACKs sent back.
   */
  video: { packets: number; keyFrames: number; plis: number; nacks: number } | null;
}

/** What arrived of one person's camera tile (see ParleyDebugHook.received). */
export interface Received {
  audioBytes: number;
  energy: number;
  videoBytes: number;
  frames: number;
}

/**
 * A tiny window hook for end-to-end tests and benchmarks. It exposes numbers only, never
 * streams or connections, plus two failure injections (`dropSocket`, `failIce`), which is why
 * production builds do not carry it (see `DEBUG_HOOK_BUILT`).
 */
export interface ParleyDebugHook {
  /** One entry per mesh link: decoded video frames and received audio bytes so far. */
  stats(): Promise<PeerStats[]>;
  /** One entry per remote tile on the page, read from what its <video> element shows. */
  tiles(): Promise<TileStats[]>;
  /**
   * What arrived of one person's camera and microphone (their camera tile's tracks), shown or
   * not: audio bytes and the sound's total energy (grows only while there is sound, not
   * silence), video bytes and frames decoded.
   */
  received(peerId: string): Promise<Received>;
  /** Our peer id in the room, or null before joining. */
  selfId(): string | null;
  /** How the room's media travels now (as this client sees it). */
  mode(): 'mesh' | 'sfu';
  /** Connected mesh links. */
  meshLinkCount(): number;
  /** Drops the signaling socket as a network failure would (no `leave`): a resume follows. */
  dropSocket(): void;
  /** Runs the ICE-failure recovery: SFU transports restart ICE; mesh links (to `peerId`,
   * default all) are treated as failed and rebuilt. */
  failIce(peerId?: string): void;
  /** `ice-refresh` requests (fresh TURN credentials) sent since the page joined. */
  iceRefreshes(): number;
  /**
   * The pre-join warm transport (warmTransport.ts): its state while the page holds it, and how
   * many an SFU session has taken as its receive transport since the page loaded.
   */
  warm(): { state: string | null; taken: number };
}

declare global {
  interface Window {
    __parley?: ParleyDebugHook;
  }
  interface ImportMetaEnv {
    /** `1` in builds for tests and benchmarks (tests/e2e/support/appBuild.ts); unset otherwise. */
    readonly VITE_PARLEY_DEBUG?: string;
  }
}

/**
 * Whether this build has the hook: the dev server, or a build made with
 * `VITE_PARLEY_DEBUG=1`. Vite replaces both at build time, so in the production build
 * (`npm start`) `installDebugHook` is an empty function and the hook's code is dropped
 * (tests/integration/appBuild.test.ts checks the bundle).
 */
const DEBUG_HOOK_BUILT = import.meta.env.DEV || import.meta.env.VITE_PARLEY_DEBUG === '1';

async function tileStats(controller: CallController, el: HTMLVideoElement) {
  const stream = el.srcObject instanceof MediaStream ? el.srcObject : null;
  const track = stream?.getVideoTracks()[0] ?? stream?.getAudioTracks()[0];
  const info = track && controller.membership.trackInfo(track);
  const report = info ? await info.stats() : undefined;
  const counters = report ? inboundOf(report) : undefined;
  const isVideo = track?.kind === 'video';
  // The tile's sound (a camera's microphone, a shared tab's audio), counted on its own track.
  const sound = isVideo ? stream?.getAudioTracks()[0] : undefined;
  const soundInfo = sound && controller.membership.trackInfo(sound);
  const soundReport = soundInfo ? await soundInfo.stats() : undefined;
  const soundCounters = soundReport ? inboundOf(soundReport) : undefined;
  return {
    via: info?.via ?? null,
    framesDecoded: isVideo ? (counters?.framesDecoded ?? 0) : 0,
    frameWidth: isVideo ? (counters?.frameWidth ?? 0) : 0,
    audioBytesReceived: isVideo
      ? (soundCounters?.bytesReceived ?? 0)
      : (counters?.bytesReceived ?? 0),
    videoBytesReceived: isVideo ? (counters?.bytesReceived ?? 0) : 0,
    trackId: track?.id ?? null,
    video: isVideo && report ? receiveCounters(report) : null,
  };
}

function receiveCounters(report: RTCStatsReport): NonNullable<TileStats['video']> {
  const out = { packets: 0, keyFrames: 0, plis: 0, nacks: 0 };
  report.forEach((s: { type: string } & Record<string, unknown>) => {
    if (s.type !== 'inbound-rtp') return;
    out.packets += Number(s.packetsReceived ?? 0);
    out.keyFrames += Number(s.keyFramesDecoded ?? 0);
    out.plis += Number(s.pliCount ?? 0);
    out.nacks += Number(s.nackCount ?? 0);
  });
  return out;
}

/** Sets `window.__parley` in debug builds (a no-op otherwise); returns its removal. */
export function installDebugHook(controller: CallController): () => void {
  if (!DEBUG_HOOK_BUILT) return () => {};
  const hook: ParleyDebugHook = {
    stats: () => controller.membership.stats(),
    tiles: () => {
      const videos = [...document.querySelectorAll<HTMLVideoElement>('video[data-tile-peer]')];
      return Promise.all(
        videos.map(async (v) => ({
          peerId: v.dataset.tilePeer ?? '',
          source: v.dataset.tileSource === 'screen' ? ('screen' as const) : ('camera' as const),
          ...(await tileStats(controller, v)),
        })),
      );
    },
    received: async (peerId) => {
      const out: Received = { audioBytes: 0, energy: 0, videoBytes: 0, frames: 0 };
      for (const track of controller.remoteStream(peerId, 'camera')?.getTracks() ?? []) {
        const report = await controller.membership.trackInfo(track)?.stats();
        report?.forEach((s: { type: string; kind?: string } & Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp' || s.kind !== track.kind) return;
          if (s.kind === 'audio') {
            out.audioBytes += Number(s.bytesReceived ?? 0);
            out.energy += Number(s.totalAudioEnergy ?? 0);
          } else {
            out.videoBytes += Number(s.bytesReceived ?? 0);
            out.frames += Number(s.framesDecoded ?? 0);
          }
        });
      }
      return out;
    },
    selfId: () => controller.snapshot.selfId,
    mode: () => controller.mode,
    meshLinkCount: () => controller.membership.meshLinkCount(),
    dropSocket: () => controller.dropSocket(),
    failIce: (peerId) => controller.membership.failIce(peerId),
    iceRefreshes: () => controller.membership.iceRefreshes,
    warm: () => warmState(),
  };
  window.__parley = hook;
  return () => {
    if (window.__parley === hook) delete window.__parley;
  };
}
