import type { ErrorData, HlsConfig } from 'hls.js';
import type { Player, PlayerEvents, Quality } from './playerTypes.ts';
import { withToken } from './watchApi.ts';

type HlsModule = typeof import('hls.js/light');

/**
 * Near the edge without LL-HLS: the gateway cuts 1 s segments, so two segments of distance is
 * ~2 s behind the newest one; after a stall the player catches up at up to 1.5x speed rather
 * than jumping, and only seeks when it has fallen more than 10 segments behind.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  liveSyncDurationCount: 2,
  liveMaxLatencyDurationCount: 10,
  maxLiveSyncPlaybackRate: 1.5,
  lowLatencyMode: false,
  backBufferLength: 30,
};

/** More media errors than this within MEDIA_WINDOW_MS: stop recovering in place. */
const MAX_MEDIA_RECOVERIES = 3;
const MEDIA_WINDOW_MS = 60_000;
/** Fatal network errors after the stream started: `startLoad()` again this many times. */
const MAX_NETWORK_RETRIES = 4;

export function createHlsJsPlayer(
  mod: HlsModule,
  video: HTMLVideoElement,
  url: string,
  events: PlayerEvents,
): Player {
  const { default: Hls, Events, ErrorTypes } = mod;
  // A private room's viewer token rides on the playlist URL; segment URLs are resolved without
  // the query, so every request of this player carries it again (xhrSetup may open the XHR).
  const token = new URL(url, location.href).searchParams.get('t');
  const hls = new Hls(
    token
      ? {
          ...HLS_CONFIG,
          xhrSetup: (xhr, requestUrl) => {
            const hasToken = new URL(requestUrl, location.href).searchParams.has('t');
            xhr.open('GET', hasToken ? requestUrl : withToken(requestUrl, token), true);
          },
        }
      : HLS_CONFIG,
  );
  let mediaRecoveries: number[] = [];
  let networkRetries = 0;
  let levelsLoaded = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;

  const onMediaError = (data: ErrorData) => {
    const now = Date.now();
    mediaRecoveries = mediaRecoveries.filter((t) => now - t < MEDIA_WINDOW_MS);
    if (mediaRecoveries.length >= MAX_MEDIA_RECOVERIES) {
      events.failed(`media error: ${data.details}`);
      return;
    }
    // hls.js's documented sequence: a plain recovery first, a codec swap if it recurs at once.
    if (mediaRecoveries.length > 0 && now - (mediaRecoveries.at(-1) ?? 0) < 3000) {
      hls.swapAudioCodec();
    }
    mediaRecoveries.push(now);
    events.trouble('Playback hiccup. Recovering…');
    hls.recoverMediaError();
  };

  const onNetworkError = (data: ErrorData) => {
    // Before the first playlist loads there is nothing to resume: let the controller rebuild.
    if (!levelsLoaded || networkRetries >= MAX_NETWORK_RETRIES) {
      events.failed(`network error: ${data.details}`);
      return;
    }
    networkRetries += 1;
    events.trouble('Connection problem. Reconnecting…');
    const delay = Math.min(8000, 1000 * 2 ** (networkRetries - 1));
    retryTimer = setTimeout(() => {
      if (!destroyed) hls.startLoad();
    }, delay);
  };

  // With the ladder (issue 20) the playlist is a master naming a 720p and a 360p rendition.
  const heights = () =>
    [...new Set(hls.levels.map((l) => l.height))].filter((h) => h > 0).sort((a, b) => b - a);
  const reportLevels = () => events.levels(heights(), hls.levels[hls.currentLevel]?.height ?? null);
  hls.on(Events.MANIFEST_PARSED, reportLevels);
  hls.on(Events.LEVEL_SWITCHED, reportLevels);
  hls.on(Events.LEVEL_LOADED, () => {
    levelsLoaded = true;
  });
  hls.on(Events.FRAG_BUFFERED, () => {
    networkRetries = 0;
  });
  hls.on(Events.BUFFER_EOS, () => events.endOfStream());
  hls.on(Events.ERROR, (_event, data) => {
    if (!data.fatal) return; // hls.js retries those itself (fragLoadPolicy and friends)
    if (data.type === ErrorTypes.MEDIA_ERROR) onMediaError(data);
    else if (data.type === ErrorTypes.NETWORK_ERROR) onNetworkError(data);
    else events.failed(`${data.type}: ${data.details}`);
  });
  hls.loadSource(url);
  hls.attachMedia(video);

  return {
    latency() {
      const targetS = hls.targetLatency;
      if (targetS === null || hls.liveSyncPosition === null) return null;
      return { behindS: Math.max(0, hls.latency), targetS };
    },
    jumpToLive() {
      const position = hls.liveSyncPosition;
      if (position !== null) video.currentTime = position;
    },
    setQuality(quality: Quality) {
      // currentLevel switches at once (the buffer ahead is flushed): a viewer who picked 360p
      // on a struggling link should not sit through the 720p already queued. -1 is ABR again.
      const index = quality === 'auto' ? -1 : hls.levels.findIndex((l) => l.height === quality);
      if (quality === 'auto' || index !== -1) hls.currentLevel = index;
    },
    destroy() {
      destroyed = true;
      clearTimeout(retryTimer);
      hls.destroy();
    },
  };
}
