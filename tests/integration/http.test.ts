import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/** A raw GET that sends the path exactly as written (fetch would normalize `..` away). */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET with an Accept-Encoding of our choosing; the body as the raw bytes sent. */
function getEncoded(
  url: string,
  acceptEncoding: string | undefined,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A script of some size, as the built app's chunks are (repetitive text compresses well). */
const BIG_SCRIPT = Array.from({ length: 2000 }, (_, i) => `export const v${i} = ${i * 7};`).join(
  '\n',
);

describe('HTTP', () => {
  let server: TestServer;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'parley-static-'));
    const web = path.join(root, 'web');
    mkdirSync(path.join(web, 'assets'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>shell</title>');
    writeFileSync(path.join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(web, 'assets', 'call-def456.js'), BIG_SCRIPT);
    writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
    server = await startTestServer({ staticDir: web });
  });
  afterAll(async () => {
    await server.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the app shell for its routes and hashed assets as immutable', async () => {
    for (const route of [
      '/',
      '/r/abcdefghijklmnopqrstuv',
      '/watch/abcdefghijklmnopqrstuv',
      '/signin',
      '/signup',
    ]) {
      const res = await fetch(server.url + route);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('shell');
    }
    const asset = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('answers a browser asking for a page the app does not have with the shell and 404', async () => {
    const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const route of ['/about', '/r/abc/extra/path', '/t/']) {
      const res = await fetch(server.url + route, { headers: page });
      expect(res.status, route).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      // The app's own "Page not found", with its way home, instead of a JSON error.
      expect(await res.text()).toContain('shell');
    }
    const head = await fetch(`${server.url}/about`, { method: 'HEAD', headers: page });
    expect(head.status).toBe(404);
    // Not for a script, a file-like path or the API: those stay a plain 404.
    const plain = await fetch(`${server.url}/about`);
    expect(plain.status).toBe(404);
    expect(await plain.text()).not.toContain('shell');
    for (const route of ['/assets/missing.js', '/favicon.ico', '/api/nothing']) {
      const res = await fetch(server.url + route, { headers: page });
      expect(res.status, route).toBe(404);
      expect(await res.text(), route).not.toContain('shell');
    }
  });

  it('sends scripts Brotli- or gzip-compressed as the client accepts, byte-exact', async () => {
    const url = `${server.url}/assets/call-def456.js`;
    const original = Buffer.from(BIG_SCRIPT);
    const br = await getEncoded(url, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(original.length / 4);
    expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

    const gz = await getEncoded(url, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(original)).toBe(true);

    for (const none of [undefined, 'identity', 'br;q=0, gzip;q=0']) {
      const plain = await getEncoded(url, none);
      expect(plain.headers['content-encoding'], String(none)).toBeUndefined();
      expect(plain.body.equals(original), String(none)).toBe(true);
    }
    // A tiny file is not worth it: sent as is.
    const tiny = await getEncoded(`${server.url}/assets/app-abc123.js`, 'br');
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('console.log(1)');
  });

  it('never serves a file outside the static root', async () => {
    const tricks = [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/r/..%2f..%2fsecret.txt',
      '/%c0%ae%c0%ae/secret.txt',
      '/secret.txt%00.js',
      '/%',
    ];
    for (const trick of tricks) {
      const res = await rawGet(server.url, trick);
      expect(res.body, trick).not.toContain('TOP SECRET');
      expect([400, 404], trick).toContain(res.status);
    }
  });

  it('answers the health check and refuses wrong methods', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${server.url}/api/rooms`)).status).toBe(405);
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    // No SFU on this server: no capabilities to preload.
    expect((await fetch(`${server.url}/api/sfu/capabilities`)).status).toBe(204);
  });

  it('puts STUN and a per-peer TURN credential in the join reply, never the secret', async () => {
    const secret = 'turn-shared-secret-xyz';
    const withTurn = await startTestServer({
      stunUrls: ['stun:127.0.0.1:3478'],
      turn: { urls: ['turn:127.0.0.1:3478'], secret },
      turnTtlS: 600,
      iceRelayOnly: true,
    });
    try {
      const { id } = await withTurn.createRoom();
      const c = await TestClient.ready(withTurn.url);
      const joined = await c.join(id, 'T');
      expect(joined.iceServers[0]).toEqual({ urls: ['stun:127.0.0.1:3478'] });
      expect(joined.iceTransportPolicy).toBe('relay');
      const turn = joined.iceServers[1];
      expect(turn?.username).toMatch(new RegExp(`^\\d+:${joined.peerId}$`));
      expect(turn?.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
      expect(JSON.stringify(c.received)).not.toContain(secret);
      await c.close();
    } finally {
      await withTurn.dispose();
    }
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('the server process', () => {
  it('shuts down gracefully on SIGTERM: sockets closed with 1001, exit code 0', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-proc-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOCAL_TURN: 'off',
        STATIC_DIR: '',
        // The SFU's fixed default ports could collide with a developer's running server.
        SFU: 'off',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(
        () =>
          fetch(`${base}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        15_000,
      );
      const c = await TestClient.connect(base);
      await c.request({ type: 'hello', version: PROTOCOL_VERSION });
      child.kill('SIGTERM');
      expect((await c.closed).code).toBe(1001);
      expect(await exited).toBe(0);
      expect(stderr).toContain('shutting down');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a clear message naming a bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', LOCAL_TURN: 'off' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT must be an integer');
  });
});
