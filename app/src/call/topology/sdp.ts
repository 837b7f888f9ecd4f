/**
 * The bitrate (kbit/s) a new video sender starts at. Chromium's default (~300) is too low for
 * a 720p camera: its first frames are dropped or sent as a tiny downscaled picture, which
 * costs ~130 ms before a remote tile shows anything (see BENCHMARKS.md, join).
 */
export const START_BITRATE_KBPS = 1000;

/**
 * Adds `x-google-start-bitrate` to every VP8, VP9 and H264 payload of an SDP (to its
 * existing `a=fmtp` line, or a new one right after its `a=rtpmap`). Other lines are untouched.
 */
export function withVideoStartBitrate(sdp: string, kbps: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const video = new Set<string>();
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) (VP8|VP9|H264)\/90000/i.exec(line);
    if (m?.[1]) video.add(m[1]);
  }
  const withFmtp = new Set<string>();
  const out = lines.map((line) => {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!m?.[1] || !video.has(m[1])) return line;
    withFmtp.add(m[1]);
    if (line.includes('x-google-start-bitrate')) return line;
    return `${line};x-google-start-bitrate=${kbps}`;
  });
  return out
    .flatMap((line) => {
      const m = /^a=rtpmap:(\d+) /.exec(line);
      if (!m?.[1] || !video.has(m[1]) || withFmtp.has(m[1])) return [line];
      return [line, `a=fmtp:${m[1]} x-google-start-bitrate=${kbps}`];
    })
    .join(eol);
}
