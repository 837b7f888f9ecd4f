import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.ts';
import { TrustedProxies, clientAddress, trustProxyError } from './clientAddress.ts';

const request = (remote: string, forwardedFor?: string): IncomingMessage =>
  ({
    socket: { remoteAddress: remote },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

const HAPROXY = new TrustedProxies(['10.0.0.0/8', '::1']);

describe('clientAddress', () => {
  it.each([
    // [trusted, socket peer, X-Forwarded-For, client]
    ['nobody', new TrustedProxies(), '203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ['not the proxy', HAPROXY, '203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ['the proxy, one hop', HAPROXY, '10.0.0.2', '198.51.100.1', '198.51.100.1'],
    [
      'a forged hop left of the real one',
      HAPROXY,
      '10.0.0.2',
      '1.2.3.4, 198.51.100.1',
      '198.51.100.1',
    ],
    [
      'two trusted hops (node to node)',
      HAPROXY,
      '10.0.0.3',
      '198.51.100.1, 10.0.0.2',
      '198.51.100.1',
    ],
    ['IPv4-mapped peer', HAPROXY, '::ffff:10.0.0.2', '198.51.100.1', '198.51.100.1'],
    ['IPv6 proxy', HAPROXY, '::1', '2001:db8::7', '2001:db8::7'],
    ['the proxy sent no header', HAPROXY, '10.0.0.2', undefined, '10.0.0.2'],
    ['garbage in the header', HAPROXY, '10.0.0.2', 'not-an-ip', '10.0.0.2'],
    ['only trusted hops', HAPROXY, '10.0.0.2', '10.0.0.9', '10.0.0.9'],
  ] as const)('%s', (_what, trusted, remote, header, client) => {
    expect(clientAddress(request(remote, header), trusted)).toBe(client);
  });
});

describe('TRUST_PROXY', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0'])('accepts %s', (entry) => {
    expect(trustProxyError([entry])).toBeUndefined();
  });

  it.each(['haproxy', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0/8', '10.0.0.1/x'])(
    'refuses %s, naming the variable',
    (entry) => {
      expect(() => loadConfig({ TRUST_PROXY: entry })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: entry })).toThrow(/TRUST_PROXY/);
    },
  );

  it('is empty by default, and a list otherwise', () => {
    expect(loadConfig({}).limits.trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).limits.trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
    ]);
  });
});
