import { describe, expect, it } from 'vitest';
import { tokenFromUrl, withToken } from './watchApi.ts';

describe('withToken', () => {
  it.each<[string, string | null, string]>([
    ['/api/rooms/abc', null, '/api/rooms/abc'],
    ['/api/rooms/abc', '', '/api/rooms/abc'],
    ['/api/rooms/abc', 'tok', '/api/rooms/abc?t=tok'],
    ['/hls/abc/seg1.m4s?x=1', 'tok', '/hls/abc/seg1.m4s?x=1&t=tok'],
    ['/hls/abc/index.m3u8#start', 'a b+c', '/hls/abc/index.m3u8?t=a%20b%2Bc#start'],
    ['http://127.0.0.1:8080/hls/abc/seg.m4s', 'tok', 'http://127.0.0.1:8080/hls/abc/seg.m4s?t=tok'],
  ])('%j with %j is %j', (url, token, out) => {
    expect(withToken(url, token)).toBe(out);
  });
});

describe('tokenFromUrl', () => {
  it('reads t from the query, null when absent or empty', () => {
    expect(tokenFromUrl('?t=abc.def')).toBe('abc.def');
    expect(tokenFromUrl('?x=1&t=a%2Bb')).toBe('a+b');
    expect(tokenFromUrl('')).toBeNull();
    expect(tokenFromUrl('?t=')).toBeNull();
  });
});
