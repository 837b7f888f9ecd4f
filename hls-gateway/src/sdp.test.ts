import { describe, expect, it } from 'vitest';
import { buildSdp, type SdpStream } from './sdp.ts';

const vp8: SdpStream = {
  kind: 'video',
  port: 5000,
  payloadType: 101,
  codecName: 'VP8',
  clockRate: 90000,
};
const opus = (port: number): SdpStream => ({
  kind: 'audio',
  port,
  payloadType: 100,
  codecName: 'opus',
  clockRate: 48000,
  channels: 2,
  parameters: { useinbandfec: 1, minptime: 10 },
});

describe('buildSdp', () => {
  it.each([
    {
      name: 'video + one audio',
      streams: [vp8, opus(5002)],
      lines: [
        'c=IN IP4 127.0.0.1',
        'm=video 5000 RTP/AVP 101',
        'a=rtpmap:101 VP8/90000',
        'a=rtcp:5001',
        'm=audio 5002 RTP/AVP 100',
        'a=rtpmap:100 opus/48000/2',
        'a=fmtp:100 useinbandfec=1;minptime=10',
        'a=rtcp:5003',
      ],
    },
    {
      name: 'audio only, two streams',
      streams: [opus(6000), opus(6010)],
      lines: ['m=audio 6000 RTP/AVP 100', 'm=audio 6010 RTP/AVP 100', 'a=rtcp:6011'],
    },
    {
      name: 'H264 with fmtp',
      streams: [
        {
          ...vp8,
          codecName: 'H264',
          payloadType: 107,
          parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
        },
      ],
      lines: ['a=rtpmap:107 H264/90000', 'a=fmtp:107 packetization-mode=1;profile-level-id=42e01f'],
    },
    {
      name: 'IPv6',
      ip: '::1',
      streams: [vp8],
      lines: ['c=IN IP6 ::1', 'o=- 0 0 IN IP6 ::1'],
    },
  ])('$name', ({ streams, lines, ip }) => {
    const sdp = buildSdp({ streams, ...(ip ? { ip } : {}) });
    expect(sdp.startsWith('v=0\r\n')).toBe(true);
    expect(sdp.endsWith('\r\n')).toBe(true);
    const sdpLines = sdp.split('\r\n');
    for (const line of lines) expect(sdpLines).toContain(line);
    expect(sdpLines.filter((l) => l === 'a=recvonly')).toHaveLength(streams.length);
  });

  it('drops fmtp values that could break the line', () => {
    const sdp = buildSdp({
      streams: [{ ...opus(5000), parameters: { ok: 1, 'bad key': 1, evil: 'a\r\nm=x' } }],
    });
    expect(sdp).toContain('a=fmtp:100 ok=1\r\n');
    expect(sdp).not.toContain('m=x');
  });

  it.each([
    { name: 'no streams', streams: [], error: /no streams/ },
    { name: 'port 0', streams: [{ ...vp8, port: 0 }], error: /bad port/ },
    {
      name: 'port 65535 (no room for RTCP)',
      streams: [{ ...vp8, port: 65535 }],
      error: /bad port/,
    },
    { name: 'RTCP clash', streams: [vp8, opus(5001)], error: /overlaps/ },
    { name: 'same port', streams: [vp8, opus(5000)], error: /overlaps/ },
    { name: 'payload type 128', streams: [{ ...vp8, payloadType: 128 }], error: /payload type/ },
    {
      name: 'codec name injection',
      streams: [{ ...vp8, codecName: 'VP8\r\na=x' }],
      error: /codec name/,
    },
    { name: 'clock rate 0', streams: [{ ...vp8, clockRate: 0 }], error: /clock rate/ },
  ])('rejects $name', ({ streams, error }) => {
    expect(() => buildSdp({ streams })).toThrow(error);
  });
});
