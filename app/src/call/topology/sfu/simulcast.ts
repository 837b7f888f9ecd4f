/** The three camera layers, lowest first (mediasoup's spatial layers 0, 1, 2). */
const LAYERS: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

/**
 * VP8 simulcast encodings for a camera captured `width` pixels wide. Chrome caps the number
 * of simulcast layers by input size (libwebrtc's simulcast table: 3 from 960x540, 2 from
 * 480x270, 1 below) and then sends only the FIRST encodings, i.e. the smallest. Asking for
 * 4/2/1 from our 320x180 capture therefore sent everyone an 80x45 picture (seen in
 * Chromium 156 outbound-rtp stats: r1 and r2 active but never sending). So we ask for only
 * as many layers as will be sent, keeping the full-size one.
 */
export function cameraEncodings(width: number): RTCRtpEncodingParameters[] {
  const count = width >= 960 ? 3 : width >= 480 ? 2 : 1;
  if (count === 1) return [{ scaleResolutionDownBy: 1, maxBitrate: 500_000 }];
  return LAYERS.slice(LAYERS.length - count).map((l, i) => ({
    ...l,
    scaleResolutionDownBy: 2 ** (count - 1 - i),
  }));
}

/** Spatial layers of a consumer, from its scalability mode ("S3T3", "L1T3"); 1 when none. */
export function spatialLayersOf(rtpParameters: { encodings?: { scalabilityMode?: string }[] }) {
  const mode = rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
  const m = /^[LS](\d+)T\d+/.exec(mode);
  return m ? Number(m[1]) : 1;
}
