import type { Player, PlayerEvents } from './playerTypes.ts';

/** Safari's playback stays about three target durations behind; ours are 1 s segments. */
const NATIVE_TARGET_S = 3;

/** The browser's own HLS (`video.src = playlist`): no latency tuning, no recovery hooks. */
export function createNativePlayer(
  video: HTMLVideoElement,
  url: string,
  events: PlayerEvents,
): Player {
  const onError = () => events.failed(video.error?.message || 'the video element failed');
  video.addEventListener('error', onError);
  video.src = url;
  const edge = (): number | null => {
    const ranges = video.seekable;
    return ranges.length > 0 ? ranges.end(ranges.length - 1) : null;
  };
  return {
    latency() {
      const end = edge();
      if (end === null) return null;
      return { behindS: Math.max(0, end - video.currentTime), targetS: NATIVE_TARGET_S };
    },
    jumpToLive() {
      const end = edge();
      if (end !== null) video.currentTime = Math.max(0, end - NATIVE_TARGET_S);
    },
    // Safari reads the master playlist and picks the rendition itself (no API to pin one).
    setQuality() {},
    destroy() {
      video.removeEventListener('error', onError);
      video.removeAttribute('src');
      video.load();
    },
  };
}
