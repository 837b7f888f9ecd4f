import { describe, expect, it } from 'vitest';
import { turnServersFor, turnTransportOf } from './probes.ts';

describe('turnTransportOf', () => {
  it.each([
    ['turn:10.0.0.1:3478?transport=udp', 'udp'],
    ['turn:10.0.0.1:3478', 'udp'],
    ['turn:10.0.0.1:3478?transport=tcp', 'tcp'],
    ['TURN:example.org?transport=TCP', 'tcp'],
    ['turns:example.org:5349?transport=tcp', 'tls'],
    ['stun:10.0.0.1:3478', undefined],
  ])('%s is %s', (url, transport) => {
    expect(turnTransportOf(url)).toBe(transport);
  });
});

describe('turnServersFor', () => {
  const servers = [
    { urls: ['stun:s:3478'] },
    {
      urls: ['turn:t:3478?transport=udp', 'turn:t:3478?transport=tcp'],
      username: '1:u',
      credential: 'c',
    },
  ];
  it('keeps one transport’s TURN URLs with their credential', () => {
    expect(turnServersFor(servers, 'tcp')).toEqual([
      { urls: ['turn:t:3478?transport=tcp'], username: '1:u', credential: 'c' },
    ]);
  });
  it('is empty when that transport is not configured', () => {
    expect(turnServersFor(servers, 'tls')).toEqual([]);
  });
});
