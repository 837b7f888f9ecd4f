import { describe, expect, it } from 'vitest';
import { withVideoStartBitrate } from './sdp.ts';

const SDP = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  '',
].join('\r\n');

describe('withVideoStartBitrate', () => {
  it('adds the start bitrate to video codecs only, keeping CRLF line ends', () => {
    const out = withVideoStartBitrate(SDP, 1000);
    const lines = out.split('\r\n');
    // VP8 had no fmtp line: one is added right after its rtpmap.
    expect(lines[lines.indexOf('a=rtpmap:96 VP8/90000') + 1]).toBe(
      'a=fmtp:96 x-google-start-bitrate=1000',
    );
    // H264 had one: the parameter is appended to it.
    expect(lines).toContain(
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;x-google-start-bitrate=1000',
    );
    // Audio and RTX are untouched.
    expect(lines).toContain('a=fmtp:111 minptime=10;useinbandfec=1');
    expect(lines).toContain('a=fmtp:97 apt=96');
    expect(out.match(/x-google-start-bitrate/g)).toHaveLength(2);
  });

  it('is idempotent', () => {
    const once = withVideoStartBitrate(SDP, 1000);
    expect(withVideoStartBitrate(once, 1000)).toBe(once);
  });
});
