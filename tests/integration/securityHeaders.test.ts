import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@parley/signaling';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const APP_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../app/dist');

describe('security headers on every response (issue 14)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Loopback is the trusted proxy here: it stands for HAProxy terminating TLS.
    const limits = { ...loadConfig({}).limits, trustProxy: ['127.0.0.1'] };
    server = await startTestServer({ limits, staticDir: APP_DIST });
  });
  afterAll(() => server.dispose());

  it.each(['/', '/r/AAAAAAAAAAAAAAAAAAAAAA', '/healthz', '/api/rooms/nope', '/hls/x/index.m3u8'])(
    '%s: CSP without inline script, nosniff, no referrer, camera/mic/screen for us only',
    async (url) => {
      const res = await fetch(`${server.url}${url}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
      expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(csp).toMatch(/(^|; )object-src 'none'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const permissions = res.headers.get('permissions-policy') ?? '';
      for (const feature of ['camera', 'microphone', 'display-capture']) {
        expect(permissions).toContain(`${feature}=(self)`);
      }
      // Plain HTTP from a client: no HSTS (browsers ignore it there, and it must not be forged).
      expect(res.headers.get('strict-transport-security')).toBeNull();
    },
  );

  it('sends HSTS when a trusted proxy says the browser came over TLS, not when a client does', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const viaProxy = await fetch(`${server.url}/healthz`, { headers: https });
    expect(viaProxy.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    const direct = await startTestServer();
    try {
      const forged = await fetch(`${direct.url}/healthz`, { headers: https });
      expect(forged.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await direct.dispose();
    }
  });
});
