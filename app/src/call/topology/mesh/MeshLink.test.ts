import { describe, expect, it } from 'vitest';
import { readEnvelope } from './MeshLink.ts';

describe('readEnvelope', () => {
  it('reads a link id and a signal payload', () => {
    const signal = { type: 'offer', sdp: 'v=0' };
    expect(readEnvelope({ link: 'link-1', signal, extra: true })).toEqual({
      link: 'link-1',
      signal,
    });
  });

  it.each<Record<string, unknown>>([
    { signal: { type: 'offer' } },
    { link: 7, signal: { type: 'offer' } },
    { link: 'link-1' },
    { link: 'link-1', signal: null },
    { link: 'link-1', signal: 'v=0' },
    { ctl: 'swapped', via: 'sfu' },
  ])('rejects %j', (data) => {
    expect(readEnvelope(data)).toBeNull();
  });
});
