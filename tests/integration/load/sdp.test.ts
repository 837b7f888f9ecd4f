import { describe, expect, it } from 'vitest';
import {
  localDtls,
  parseLocalMedia,
  produceParameters,
  recvOffer,
  sendAnswer,
} from '../../load/sdp.ts';
import type { LocalMedia, TransportParams } from '../../load/sdp.ts';

const transport: TransportParams = {
  iceParameters: { usernameFragment: 'ufrag1', password: 'pwd1' },
  iceCandidates: [
    {
      foundation: 'udpcandidate',
      priority: 1076302079,
      ip: '127.0.0.1',
      protocol: 'udp',
      port: 40000,
    },
    {
      foundation: 'tcpcandidate',
      priority: 1076276479,
      ip: '127.0.0.1',
      protocol: 'tcp',
      port: 40000,
    },
  ],
  dtlsParameters: {
    fingerprints: [
      { algorithm: 'sha-1', value: 'aa:bb' },
      { algorithm: 'sha-256', value: 'ab:cd:ef' },
    ],
  },
};

const video = {
  kind: 'video' as const,
  rtpParameters: {
    mid: '0',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings: [{ ssrc: 1111, rtx: { ssrc: 2222 } }],
    rtcp: { cname: 'peer-a' },
  },
};
const audio = {
  kind: 'audio' as const,
  rtpParameters: {
    mid: '1',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 100,
        clockRate: 48000,
        channels: 2,
        parameters: { useinbandfec: 1 },
      },
    ],
    encodings: [{ ssrc: 3333 }],
  },
};

describe('the SDP a bot negotiates with mediasoup', () => {
  it('offers one sendonly m-line per consumer, bundled, ICE-lite, UDP candidates only', () => {
    const sdp = recvOffer(transport, [video, audio]);
    const lines = sdp.split('\r\n');
    expect(lines).toContain('a=ice-lite');
    expect(lines).toContain('a=group:BUNDLE 0 1');
    expect(lines).toContain('a=fingerprint:sha-256 AB:CD:EF');
    expect(lines.filter((l) => l.startsWith('m='))).toEqual([
      'm=video 7 UDP/TLS/RTP/SAVPF 101',
      'm=audio 7 UDP/TLS/RTP/SAVPF 100',
    ]);
    expect(lines.filter((l) => l.startsWith('a=candidate'))).toEqual([
      'a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host',
      'a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40000 typ host',
    ]);
    for (const line of [
      'a=setup:actpass',
      'a=sendonly',
      'a=rtpmap:101 VP8/90000',
      'a=rtcp-fb:101 nack pli',
      'a=rtpmap:100 opus/48000/2',
      'a=fmtp:100 useinbandfec=1',
      'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=ssrc-group:FID 1111 2222',
      'a=ssrc:1111 cname:peer-a',
      'a=ssrc:3333 cname:parley',
    ]) {
      expect(lines).toContain(line);
    }
  });

  it('reads the m-lines of a local offer as mediasoup rtpParameters need them', () => {
    const offer = [
      'v=0',
      'o=- 1 0 IN IP4 0.0.0.0',
      's=-',
      't=0 0',
      'a=fingerprint:sha-256 01:02',
      'a=setup:actpass',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=rtcp-fb:111 transport-cc',
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=ssrc:42 cname:bot',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=rtpmap:96 VP8/90000',
      'a=rtcp-fb:96 nack',
      'a=rtcp-fb:96 nack pli',
      'a=ssrc:43 cname:bot',
      '',
    ].join('\r\n');
    const media = parseLocalMedia(offer);
    expect(media).toEqual([
      {
        kind: 'audio',
        mid: '0',
        codecs: [
          {
            mimeType: 'audio/opus',
            payloadType: 111,
            clockRate: 48000,
            channels: 2,
            parameters: { minptime: 10, useinbandfec: 1 },
            rtcpFeedback: [{ type: 'transport-cc' }],
          },
        ],
        headerExtensions: [{ id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }],
        ssrc: 42,
        cname: 'bot',
      },
      {
        kind: 'video',
        mid: '1',
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            parameters: {},
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          },
        ],
        headerExtensions: [],
        ssrc: 43,
        cname: 'bot',
      },
    ]);
    const answer = sendAnswer(transport, media).split('\r\n');
    expect(answer).toContain('a=setup:passive');
    expect(answer).toContain('a=recvonly');
    expect(answer).toContain('a=group:BUNDLE 0 1');
    expect(answer).toContain('a=fmtp:111 minptime=10;useinbandfec=1');
  });

  it.each([
    ['active', 'client'],
    ['actpass', 'client'],
    ['passive', 'server'],
  ])('a local a=setup:%s makes the bot the DTLS %s', (setup, role) => {
    const dtls = localDtls(`v=0\r\na=fingerprint:sha-256 0A:0B\r\na=setup:${setup}\r\n`);
    expect(dtls).toEqual({ role, fingerprints: [{ algorithm: 'sha-256', value: '0A:0B' }] });
  });
});

describe('the rtpParameters of sfu-produce', () => {
  const line = (kind: 'audio' | 'video', mid: string, ssrc: number): LocalMedia => ({
    kind,
    mid,
    codecs: [{ mimeType: `${kind}/x`, payloadType: 96, clockRate: 90000 }],
    headerExtensions: [{ id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }],
    ssrc,
    cname: 'bot',
  });
  const local = [line('audio', '0', 10), line('video', '1', 11), line('video', '2', 12)];
  const layers = [
    { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
  ];

  it.each([
    ['audio: one encoding', 'audio' as const, [], '0', [{ ssrc: 10 }]],
    [
      'video simulcast: an encoding per m-line, lowest first, with its scale and bitrate',
      'video' as const,
      layers,
      '1',
      [
        { ssrc: 11, scaleResolutionDownBy: 2, maxBitrate: 300_000 },
        { ssrc: 12, scaleResolutionDownBy: 1, maxBitrate: 900_000 },
      ],
    ],
  ])('%s', (_name, kind, given, mid, encodings) => {
    const p = produceParameters(local, kind, given);
    expect(p).toMatchObject({ mid, encodings, rtcp: { cname: 'bot' } });
    expect(p.codecs[0]?.mimeType).toBe(`${kind}/x`);
  });

  it('one video m-line without layers is one encoding, as before simulcast', () => {
    const p = produceParameters([line('video', '1', 11)], 'video');
    expect(p.encodings).toEqual([{ ssrc: 11 }]);
  });

  it.each([
    ['no m-line of the kind', [line('audio', '0', 10)], 'no local video m-line'],
    ['fewer m-lines than layers', [line('video', '1', 11)], '2 layers but 1 video m-lines'],
  ])('refuses %s', (_name, given, message) => {
    expect(() => produceParameters(given, 'video', layers)).toThrow(message);
  });
});
