import fc from 'fast-check';

/**
 * mediasoup's structures, which the protocol checks only for shape and size (protocol/src/
 * sfu.ts) and mediasoup validates: near-valid RTP parameters and capabilities, DTLS
 * parameters, with real-looking names and values next to wrong ones, so a draw reaches
 * mediasoup's own checks (and sometimes passes them) instead of stopping at the schema.
 */

const mimeType = fc.constantFrom(
  'audio/opus',
  'audio/PCMU',
  'video/VP8',
  'video/VP9',
  'video/H264',
  'video/rtx',
  'audio/unknown',
  'VP8',
  '',
);
const payloadType = fc.oneof(fc.integer({ min: 96, max: 127 }), fc.integer({ min: -5, max: 300 }));
const clockRate = fc.oneof(
  fc.constantFrom(48_000, 90_000, 8_000),
  fc.integer({ min: -1, max: 1e6 }),
);
const codecParameters = fc.dictionary(
  fc.constantFrom('apt', 'profile-level-id', 'packetization-mode', 'useinbandfec', 'x-google'),
  fc.oneof(fc.integer({ min: -1, max: 200 }), fc.constantFrom('42e01f', '1', '')),
  { maxKeys: 3 },
);
const rtcpFeedback = fc.array(
  fc.record(
    {
      type: fc.constantFrom('nack', 'ccm', 'goog-remb', 'transport-cc', ''),
      parameter: fc.constantFrom('', 'pli', 'fir'),
    },
    { requiredKeys: ['type'] },
  ),
  { maxLength: 3 },
);
const headerExtensionUri = fc.constantFrom(
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'urn:3gpp:video-orientation',
  'urn:example:unknown',
);

const codec = fc.record(
  {
    mimeType,
    payloadType,
    clockRate,
    channels: fc.constantFrom(1, 2, 0, -1),
    parameters: codecParameters,
    rtcpFeedback,
  },
  { requiredKeys: ['mimeType', 'payloadType', 'clockRate'] },
);

const encoding = fc.record(
  {
    ssrc: fc.oneof(fc.nat(), fc.integer({ min: -1, max: 2 ** 33 })),
    rid: fc.constantFrom('r0', 'r1', 'r2', ''),
    scalabilityMode: fc.constantFrom('L1T3', 'S3T3', 'L3T3_KEY', 'bogus'),
    maxBitrate: fc.integer({ min: -1, max: 5e6 }),
    dtx: fc.boolean(),
    rtx: fc.record({ ssrc: fc.nat() }),
  },
  { requiredKeys: [] },
);

/** A real Opus producer's parameters: mediasoup accepts these. */
const opus = fc.nat().map((ssrc) => ({
  mid: '0',
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48_000,
      channels: 2,
      parameters: {},
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc: ssrc + 1 }],
  rtcp: { cname: 'fuzz', reducedSize: true },
}));

export const rtpParameters: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: opus, weight: 1 },
  {
    arbitrary: fc.record(
      {
        mid: fc.string({ maxLength: 4 }),
        codecs: fc.array(codec, { maxLength: 3 }),
        headerExtensions: fc.array(
          fc.record(
            {
              uri: headerExtensionUri,
              id: fc.integer({ min: -1, max: 16 }),
              encrypt: fc.boolean(),
              parameters: fc.constant({}),
            },
            { requiredKeys: ['uri', 'id'] },
          ),
          { maxLength: 3 },
        ),
        encodings: fc.array(encoding, { maxLength: 3 }),
        rtcp: fc.record(
          { cname: fc.string({ maxLength: 8 }), reducedSize: fc.boolean(), mux: fc.boolean() },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['codecs'] },
    ),
    weight: 4,
  },
);

export const rtpCapabilities: fc.Arbitrary<unknown> = fc.record(
  {
    codecs: fc.array(
      fc.record(
        {
          kind: fc.constantFrom('audio', 'video', 'data'),
          mimeType,
          preferredPayloadType: payloadType,
          clockRate,
          channels: fc.constantFrom(1, 2),
          parameters: codecParameters,
          rtcpFeedback,
        },
        { requiredKeys: ['kind', 'mimeType', 'clockRate'] },
      ),
      { maxLength: 3 },
    ),
    headerExtensions: fc.array(
      fc.record(
        {
          kind: fc.constantFrom('audio', 'video'),
          uri: headerExtensionUri,
          preferredId: fc.integer({ min: -1, max: 16 }),
          direction: fc.constantFrom('sendrecv', 'recvonly', 'sendonly', 'inactive', 'up'),
        },
        { requiredKeys: ['kind', 'uri', 'preferredId'] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

export const dtlsParameters: fc.Arbitrary<unknown> = fc.record(
  {
    role: fc.constantFrom('auto', 'client', 'server'),
    fingerprints: fc.array(
      fc.record({
        algorithm: fc.constantFrom('sha-256', 'sha-1', 'sha-512', 'md5', 'nope'),
        value: fc
          .uint8Array({ minLength: 0, maxLength: 32 })
          .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':')),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  },
  { requiredKeys: ['fingerprints'] },
);
