import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { endpointError, isP256Point } from './subscriptionCheck.ts';

describe('endpointError', () => {
  it.each([
    ['https://fcm.googleapis.com/fcm/send/abc:def', false],
    ['https://updates.push.services.mozilla.com/wpush/v2/gAAAA', false],
    ['https://web.push.apple.com/QGuQyavXutnMH', false],
    ['http://127.0.0.1:4567/push/1', true],
    ['http://localhost:4567/push/1', true],
    ['http://[::1]:4567/push/1', true],
  ])('takes %s (loopback http allowed: %s)', (url, httpLoopback) => {
    expect(endpointError(url, httpLoopback)).toBeUndefined();
  });

  it.each([
    ['not a url', false, /must be a URL/],
    ['http://push.example.org/1', false, /https/],
    ['http://push.example.org/1', true, /https/],
    ['http://127.0.0.1:4567/push/1', false, /https/],
    ['ftp://push.example.org/1', false, /https/],
    ['https://10.0.0.5/push', false, /not an address/],
    ['https://[fd00::1]/push', false, /not an address/],
    ['https://localhost/push', false, /not an address/],
    ['https://intranet/push', false, /not an address/],
    ['https://user:pw@push.example.org/1', false, /credentials/],
    ['https://push.example.org/1', false, /known push service/],
    ['https://db.internal.example.org/1', false, /known push service/],
    ['https://fcm.googleapis.com.evil.example/1', false, /known push service/],
  ])('refuses %s (loopback http allowed: %s)', (url, httpLoopback, message) => {
    expect(endpointError(url, httpLoopback)).toMatch(message);
  });

  it('takes the push services it is told of instead (PUSH_SERVICES)', () => {
    const services = ['push.example.org', '.push.example.net'];
    expect(endpointError('https://push.example.org/1', false, services)).toBeUndefined();
    expect(endpointError('https://eu.push.example.net/1', false, services)).toBeUndefined();
    expect(endpointError('https://fcm.googleapis.com/fcm/send/a', false, services)).toMatch(
      /known push service/,
    );
  });
});

describe('isP256Point', () => {
  it('takes a real public key and refuses 65 bytes that are not on the curve', () => {
    const ecdh = createECDH('prime256v1');
    expect(isP256Point(ecdh.generateKeys('base64url'))).toBe(true);
    const bogus = Buffer.alloc(65, 7);
    bogus[0] = 4;
    expect(isP256Point(bogus.toString('base64url'))).toBe(false);
  });
});
