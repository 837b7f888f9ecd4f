import type { types } from 'mediasoup';

/**
 * Codecs every room's router offers. Opus for audio; VP8 for Chromium and Firefox; H264
 * constrained baseline (42e01f, packetization-mode 1) because Safari on older iOS encodes
 * only H264 in hardware.
 */
export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
];

/** A walkie-talkie team's router (issue #16): the same Opus, and no video codec at all. */
export const AUDIO_ONLY_CODECS: types.RtpCodecCapability[] = MEDIA_CODECS.filter(
  (codec) => codec.kind === 'audio',
);

/** What a new WebRtcTransport assumes it may send before bandwidth estimation kicks in. */
export const INITIAL_OUTGOING_BITRATE = 1_000_000;

/** How often (ms) the ActiveSpeakerObserver re-evaluates the dominant speaker. */
export const ACTIVE_SPEAKER_INTERVAL_MS = 300;
