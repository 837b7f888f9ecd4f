import type { BroadcastStatus } from '@parley/protocol';
import { choosePlayer } from './player.ts';
import type { Player, PlayerEvents, PlayerFactory, Quality } from './playerTypes.ts';
import { checkIn, fetchBroadcastStatus, playlistReady, viewerId, withToken } from './watchApi.ts';
import {
  INITIAL_SNAPSHOT,
  liveEdge,
  sameHeights,
  sameSnapshot,
  showingText,
} from './watchState.ts';
import type { WatchSnapshot } from './watchState.ts';
import { background } from '../util/background.ts';

const STATUS_POLL_MS = 3000;
const CHECK_IN_MS = 10_000;
const PLAYLIST_POLL_MS = 500;
const TICK_MS = 1000;
/** Off air while playing: the last segments still play out (ENDLIST); this is the longest wait. */
const DRAIN_MS = 15_000;
const SERVER_NOTICE = 'Cannot reach the server. Retrying…';
const RECONNECT_NOTICE = 'Connection problem. Reconnecting…';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The viewer page's logic, no UI: polls the room's status, runs the player (hls.js or native)
 * on the page's <video> once the room is on air, checks in as a viewer, tracks the distance to
 * the live edge and notices the end. Publishes plain snapshots for Preact.
 */
export class WatchController {
  #snap: WatchSnapshot = INITIAL_SNAPSHOT;
  readonly #listeners = new Set<(s: WatchSnapshot) => void>();
  readonly #playlistUrl: string;
  #video: HTMLVideoElement | null = null;
  #player: Player | null = null;
  #factory: PlayerFactory | null | undefined;
  /** Bumped by every (re)start and end: async work from an older attempt stops at its next step. */
  #attempt = 0;
  #rebuilds = 0;
  #lastLive: boolean | null = null;
  /** The server reported off air since the last start: a later "live" is a new broadcast. */
  #sawOffAir = false;
  #disposed = false;
  #statusTimer: ReturnType<typeof setTimeout> | undefined;
  #endTimer: ReturnType<typeof setTimeout> | undefined;
  #endAt = 0;
  #checkInTimer: ReturnType<typeof setInterval> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  readonly #videoListeners: [string, () => void][] = [
    ['playing', () => this.#onPlaying()],
    ['waiting', () => this.#set({ buffering: true })],
    ['canplay', () => background(this.#autoplay(), 'watch: autoplay')],
    ['ended', () => this.#end()],
    [
      'volumechange',
      () => this.#set({ muted: this.#video?.muted ?? true, volume: this.#video?.volume ?? 1 }),
    ],
  ];

  /** `token`: a private room's viewer token (`?t=` of the watch link), passed on every request. */
  constructor(
    readonly broadcastId: string,
    private readonly token: string | null = null,
    private readonly viewer: string = viewerId(),
  ) {
    this.#playlistUrl = withToken(`/hls/${encodeURIComponent(broadcastId)}/index.m3u8`, token);
  }

  get snapshot(): WatchSnapshot {
    return this.#snap;
  }

  subscribe(listener: (s: WatchSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts everything on the page's video element (muted, so autoplay is allowed). */
  attach(video: HTMLVideoElement): void {
    this.#video = video;
    video.muted = true;
    video.playsInline = true;
    for (const [type, fn] of this.#videoListeners) video.addEventListener(type, fn);
    this.#tickTimer = setInterval(() => this.#tick(), TICK_MS);
    background(this.#pollStatus(), 'watch: status poll');
  }

  dispose(): void {
    this.#disposed = true;
    this.#attempt += 1;
    clearTimeout(this.#statusTimer);
    clearTimeout(this.#endTimer);
    clearInterval(this.#tickTimer);
    this.#stopCheckIns();
    this.#player?.destroy();
    this.#player = null;
    for (const [type, fn] of this.#videoListeners) this.#video?.removeEventListener(type, fn);
    this.#listeners.clear();
  }

  toggleMute(): void {
    if (this.#video) this.#video.muted = !this.#video.muted;
  }

  /** The volume slider: 0 to 1; moving it up from silence unmutes, as players do. */
  setVolume(volume: number): void {
    if (!this.#video) return;
    this.#video.volume = Math.min(1, Math.max(0, volume));
    if (volume > 0 && this.#video.muted) this.#video.muted = false;
  }

  /** After autoplay was refused: a tap is a user gesture, so play() (with sound) is allowed. */
  play(): void {
    if (!this.#video) return;
    this.#video.muted = false;
    this.#video.play().then(
      () => this.#set({ needsTap: false }),
      () => this.#set({ needsTap: true }),
    );
  }

  jumpToLive(): void {
    this.#player?.jumpToLive();
    this.#tick();
  }

  /** The quality menu: a rendition by height, or 'auto'. Kept across player rebuilds. */
  setQuality(quality: Quality): void {
    this.#player?.setQuality(quality);
    this.#set({ quality });
  }

  #set(patch: Partial<WatchSnapshot>): void {
    const next = { ...this.#snap, ...patch };
    if (this.#disposed || sameSnapshot(next, this.#snap)) return;
    this.#snap = next;
    for (const listener of this.#listeners) listener(next);
  }

  async #pollStatus(): Promise<void> {
    clearTimeout(this.#statusTimer);
    let status: BroadcastStatus | 'not-found';
    try {
      status = await fetchBroadcastStatus(this.broadcastId, this.token);
    } catch {
      if (this.#disposed) return;
      this.#set({ notice: SERVER_NOTICE });
      this.#statusTimer = setTimeout(
        () => background(this.#pollStatus(), 'watch: status poll'),
        STATUS_POLL_MS,
      );
      return;
    }
    if (this.#disposed) return;
    if (status === 'not-found') {
      this.#end();
      this.#set({ phase: 'not-found' });
      return; // a room id does not come into existence later
    }
    this.#onStatus(status);
    this.#statusTimer = setTimeout(
      () => background(this.#pollStatus(), 'watch: status poll'),
      STATUS_POLL_MS,
    );
  }

  #onStatus(status: BroadcastStatus): void {
    this.#lastLive = status.live;
    if (!status.live) this.#sawOffAir = true;
    const { phase, notice } = this.#snap;
    const { viewers, recording, title } = status;
    const showing = showingText(status.showing);
    this.#set({
      viewers,
      recording,
      title,
      showing,
      notice: notice === SERVER_NOTICE ? null : notice,
    });
    if (status.live) {
      // After an end only once the server said off air: until then "live" is the old one.
      const restart = this.#sawOffAir && (phase === 'waiting' || phase === 'ended');
      if (phase === 'loading' || restart) background(this.#start(), 'watch: starting playback');
      return;
    }
    if (phase === 'loading') this.#set({ phase: 'waiting' });
    else if (phase === 'starting' && !this.#player) this.#end();
    else if (phase === 'starting' || phase === 'playing') this.#endWithin(DRAIN_MS);
  }

  /** On air: wait for the first segments, then build the player. */
  async #start(): Promise<void> {
    const attempt = ++this.#attempt;
    const video = this.#video;
    if (!video) return;
    this.#player?.destroy();
    this.#player = null;
    this.#sawOffAir = false;
    this.#cancelEnd();
    this.#set({ phase: 'starting', buffering: false, behindS: null, atLiveEdge: false });
    this.#startCheckIns();
    try {
      this.#factory ??= await choosePlayer(video);
    } catch {
      // The player chunk did not load (network): retry like any other failure.
      if (attempt === this.#attempt) this.#rebuild();
      return;
    }
    if (attempt !== this.#attempt) return;
    if (!this.#factory) {
      this.#end();
      this.#set({ phase: 'unsupported' });
      return;
    }
    // A failed fetch here is just "not yet": the status poll reports an unreachable server.
    while (!(await playlistReady(this.#playlistUrl).catch(() => false))) {
      if (attempt !== this.#attempt) return;
      await sleep(PLAYLIST_POLL_MS);
    }
    if (attempt !== this.#attempt) return;
    this.#player = this.#factory(video, this.#playlistUrl, this.#playerEvents());
  }

  #playerEvents(): PlayerEvents {
    const attempt = this.#attempt;
    const current = () => attempt === this.#attempt;
    let levelsSeen = false;
    return {
      endOfStream: () => {
        if (!current() || !this.#video) return;
        // Everything is buffered; 'ended' normally fires when it has played. This is the bound.
        const { buffered, currentTime } = this.#video;
        const left = buffered.length ? buffered.end(buffered.length - 1) - currentTime : 0;
        this.#endWithin((Math.max(0, left) + 2) * 1000);
      },
      trouble: (message) => current() && this.#set({ notice: message }),
      failed: () => current() && this.#rebuild(),
      levels: (heights, playing) => {
        if (!current()) return;
        const { qualities, quality } = this.#snap;
        // A new player (a rebuild) starts on ABR: give it the viewer's choice once it has levels.
        if (!levelsSeen && quality !== 'auto') this.#player?.setQuality(quality);
        levelsSeen = true;
        this.#set({
          qualities: sameHeights(qualities, heights) ? qualities : heights,
          playingHeight: playing,
        });
      },
    };
  }

  /** The player gave up: rebuild it with backoff while the room is on air, else end. */
  #rebuild(): void {
    this.#player?.destroy();
    this.#player = null;
    if (this.#lastLive === false) {
      this.#end();
      return;
    }
    const attempt = ++this.#attempt;
    this.#rebuilds += 1;
    this.#set({ phase: 'starting', notice: RECONNECT_NOTICE, buffering: false });
    const delay = Math.min(8000, 500 * 2 ** this.#rebuilds);
    setTimeout(() => {
      if (attempt === this.#attempt && this.#lastLive !== false)
        background(this.#start(), 'watch: starting playback');
    }, delay);
  }

  /** Ends at the earliest of the deadlines set so far (off air, then end of stream). */
  #endWithin(ms: number): void {
    const at = Date.now() + ms;
    if (this.#endTimer !== undefined && at >= this.#endAt) return;
    clearTimeout(this.#endTimer);
    this.#endAt = at;
    this.#endTimer = setTimeout(() => this.#end(), ms);
  }

  #cancelEnd(): void {
    clearTimeout(this.#endTimer);
    this.#endTimer = undefined;
  }

  #end(): void {
    this.#attempt += 1;
    this.#cancelEnd();
    this.#stopCheckIns();
    this.#player?.destroy();
    this.#player = null;
    this.#rebuilds = 0;
    const reached = this.#snap.phase !== 'loading' && this.#snap.phase !== 'waiting';
    this.#set({
      ...(reached ? { phase: 'ended' as const } : {}),
      buffering: false,
      behindS: null,
      atLiveEdge: false,
      canJumpToLive: false,
      needsTap: false,
      notice: null,
    });
  }

  #onPlaying(): void {
    const { phase } = this.#snap;
    if (phase !== 'starting' && phase !== 'playing') return;
    this.#rebuilds = 0;
    this.#set({ phase: 'playing', buffering: false, needsTap: false, notice: null });
  }

  async #autoplay(): Promise<void> {
    const video = this.#video;
    if (!video || !video.paused || this.#snap.phase === 'ended') return;
    try {
      await video.play();
    } catch (err) {
      // NotAllowedError: autoplay refused even muted (e.g. power saving). An AbortError only
      // means a newer load replaced this one.
      if (err instanceof DOMException && err.name === 'NotAllowedError') {
        this.#set({ needsTap: true });
      }
    }
  }

  #tick(): void {
    const latency = this.#snap.phase === 'playing' ? this.#player?.latency() : null;
    if (latency) this.#set(liveEdge(latency.behindS, latency.targetS));
  }

  #startCheckIns(): void {
    if (this.#checkInTimer !== undefined) return;
    const once = () =>
      checkIn(this.broadcastId, this.viewer, this.token).then(
        (viewers) => this.#set({ viewers }),
        () => undefined, // the status poll reports an unreachable server
      );
    background(once(), 'watch: viewer check-in');
    this.#checkInTimer = setInterval(
      () => background(once(), 'watch: viewer check-in'),
      CHECK_IN_MS,
    );
  }

  #stopCheckIns(): void {
    clearInterval(this.#checkInTimer);
    this.#checkInTimer = undefined;
  }
}
