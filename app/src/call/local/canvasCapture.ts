/**
 * A canvas as a video track with a frame every 1/`fps` s, drawn on or not. A canvas track
 * carries a frame only when the canvas changed since the last one (`requestFrame()` included,
 * in Chromium): a board nobody draws on would send none, and the broadcast's FFmpeg, reading
 * the SFU, would wait for video that never comes. So each tick rewrites one pixel with itself,
 * which changes nothing anyone sees. The timer ends with the track.
 */
export function captureCanvas(canvas: HTMLCanvasElement, fps: number): MediaStream {
  const stream = canvas.captureStream(fps);
  const track = stream.getVideoTracks()[0];
  // The board drew with this context already (getContext returns it again).
  const ctx = canvas.getContext('2d');
  if (!track || !ctx) return stream;
  const timer = setInterval(() => {
    if (track.readyState === 'ended') return clearInterval(timer);
    ctx.putImageData(ctx.getImageData(0, 0, 1, 1), 0, 0);
  }, 1000 / fps);
  return stream;
}
