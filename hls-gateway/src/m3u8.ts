// Reading FFmpeg's media playlist and writing ours. Only the tags the two sides use. Pure.

/** A segment as FFmpeg listed it. */
export interface SourceSegment {
  uri: string;
  duration: number;
  programDateTime?: string;
}

export interface SourcePlaylist {
  mediaSequence: number;
  /** URI of the EXT-X-MAP (fMP4 init segment) in force, if any. */
  map?: string;
  segments: SourceSegment[];
  ended: boolean;
}

/**
 * Parses a media playlist. Tolerates a torn final line (a segment URI is taken only once its
 * line is complete), unknown tags and CRLF.
 */
export function parseMediaPlaylist(text: string): SourcePlaylist {
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const result: SourcePlaylist = { mediaSequence: 0, segments: [], ended: false };
  let duration: number | undefined;
  let programDateTime: string | undefined;
  for (const raw of complete.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    } else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) {
      result.mediaSequence = Number.parseInt(line.slice('#EXT-X-MEDIA-SEQUENCE:'.length), 10);
    } else if (line.startsWith('#EXT-X-MAP:')) {
      result.map = /URI="([^"]*)"/.exec(line)?.[1];
    } else if (line === '#EXT-X-ENDLIST') {
      result.ended = true;
    } else if (!line.startsWith('#') && duration !== undefined && Number.isFinite(duration)) {
      result.segments.push({
        uri: line,
        duration,
        ...(programDateTime ? { programDateTime } : {}),
      });
      duration = undefined;
      programDateTime = undefined;
    }
  }
  return result;
}

/** A segment in our public playlist. */
export interface PublishedSegment {
  /** Global media sequence number. */
  sequence: number;
  uri: string;
  duration: number;
  /** The init segment (EXT-X-MAP) it needs. */
  map: string;
  /** First segment after an FFmpeg restart or source change. */
  discontinuity: boolean;
  programDateTime?: string;
}

export interface PlaylistState {
  targetDuration: number;
  /** Discontinuities that have left the window (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence: number;
  /** The window, oldest first; its first sequence is the EXT-X-MEDIA-SEQUENCE. */
  segments: readonly PublishedSegment[];
  ended: boolean;
}

/** Renders a live (or, with `ended`, finished) fMP4 media playlist. */
export function renderMediaPlaylist(state: PlaylistState): string {
  const first = state.segments[0];
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${state.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${first?.sequence ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${state.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let map: string | undefined;
  for (const segment of state.segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.map !== map) {
      lines.push(`#EXT-X-MAP:URI="${segment.map}"`);
      map = segment.map;
    }
    const pdt = isoDate(segment.programDateTime);
    if (pdt) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${pdt}`);
    lines.push(`#EXTINF:${segment.duration.toFixed(6)},`, segment.uri);
  }
  if (state.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** FFmpeg writes `+0000`; players want RFC 3339 (`Z` or `+00:00`). */
function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** One rendition in a master playlist. */
export interface VariantStream {
  /** Its media playlist, relative to the master. */
  uri: string;
  /** Peak bits per second of its segments (video, audio and container). */
  bandwidth: number;
  width: number;
  height: number;
  fps: number;
  /** RFC 6381, e.g. `avc1.4d401f,mp4a.40.2`. */
  codecs: string;
}

/** Renders a master playlist listing the renditions in the order given (highest first). */
export function renderMasterPlaylist(variants: readonly VariantStream[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attributes = [
      `BANDWIDTH=${Math.round(v.bandwidth)}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.fps.toFixed(3)}`,
      `CODECS="${v.codecs}"`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}
