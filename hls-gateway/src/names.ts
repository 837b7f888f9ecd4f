// The names that may appear in /hls/ URLs and on disk. Strict on purpose: a request path is
// matched against these before it comes anywhere near the filesystem.

/** A room id as a directory name. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Files a broadcast publishes: its playlist, init segments and media segments. */
export const HLS_FILE_PATTERN = /^(?:index\.m3u8|[A-Za-z0-9_-]{1,80}\.(?:m4s|mp4))$/;

export function isRoomId(value: string): boolean {
  return ROOM_ID_PATTERN.test(value);
}

export function isHlsFileName(value: string): boolean {
  return HLS_FILE_PATTERN.test(value);
}
