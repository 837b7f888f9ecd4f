// The names that may appear in /hls/ URLs and on disk. Strict on purpose: a request path is
// matched against these before it comes anywhere near the filesystem.

/** A room id as a directory name. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The renditions' names, highest first: `hi` is the configured picture, `lo` the ladder's
 * 360p one. With the ladder on, `index.m3u8` is the master playlist and these are the only
 * other playlists a broadcast has.
 */
export const RENDITION_NAMES = ['hi', 'lo'] as const;
export type RenditionName = (typeof RENDITION_NAMES)[number];

/** Files a broadcast publishes: its playlists, init segments and media segments. */
export const HLS_FILE_PATTERN = new RegExp(
  `^(?:(?:index|${RENDITION_NAMES.join('|')})\\.m3u8|[A-Za-z0-9_-]{1,80}\\.(?:m4s|mp4))$`,
);

export function isRoomId(value: string): boolean {
  return ROOM_ID_PATTERN.test(value);
}

export function isHlsFileName(value: string): boolean {
  return HLS_FILE_PATTERN.test(value);
}
