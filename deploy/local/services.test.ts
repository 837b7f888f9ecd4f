import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY_TEMPLATE, startHaproxy, type LocalHaproxy } from './haproxy.ts';
import { exchange, httpGet } from './net.ts';
import { DEFAULT_PG_BIN_DIR, startPostgres, type LocalPostgres } from './postgres.ts';
import { redisPing, startRedis, type LocalRedis } from './redis.ts';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Polls `check` until it holds; no fixed sleeps. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const refused = (port: number) => async () => {
  try {
    await redisPing(port);
    return false;
  } catch {
    return true;
  }
};

describe('startRedis', () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('answers PING on a loopback URL', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisPing(redis.port)).toBe(true);
  });

  it('restarts on the same port, empty', async () => {
    const set = await exchange(redis.port, 'SET parley:k v\r\n', (r) => r.endsWith('\r\n'));
    expect(set).toBe('+OK\r\n');
    await redis.stop();
    expect(await refused(redis.port)()).toBe(true);
    await redis.restart();
    expect(await redisPing(redis.port)).toBe(true);
    const get = await exchange(redis.port, 'GET parley:k\r\n', (r) => r.endsWith('\r\n'));
    expect(get).toBe('$-1\r\n');
  });

  it.each(['exit', 'SIGTERM', 'SIGKILL'])('dies with its parent (%s)', async (how) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'fixtures/orphan.ts', how], {
      cwd: HERE,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    if (how !== 'exit') child.kill(how === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM');
    await eventually(`Redis on ${port} gone`, refused(port));
  });
});

describe('startPostgres', () => {
  let pg: LocalPostgres;
  const psql = async (sql: string): Promise<string> =>
    (await run(path.join(DEFAULT_PG_BIN_DIR, 'psql'), [pg.url, '-tAXq', '-c', sql])).stdout.trim();

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg.cleanup());

  it('accepts queries on its postgres:// URL', async () => {
    expect(pg.url).toBe(`postgres://parley@127.0.0.1:${pg.port}/parley`);
    expect(await psql('SELECT current_database()')).toBe('parley');
  });

  it('keeps committed data across stop and start, on the same port', async () => {
    await psql('CREATE TABLE notes (body text); INSERT INTO notes VALUES ($$kept$$)');
    await pg.stop();
    await expect(psql('SELECT 1')).rejects.toThrow();
    await pg.start();
    expect(await psql('SELECT body FROM notes')).toBe('kept');
  });
});

describe('startHaproxy', () => {
  const healthy = new Map<string, boolean>();
  const nodes: { name: string; server: Server; port: number }[] = [];
  let proxy: LocalHaproxy;

  async function node(name: string) {
    healthy.set(name, true);
    const server = createServer((req, res) => {
      const ok = req.url !== '/healthz' || healthy.get(name) === true;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(name);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    nodes.push({ name, server, port });
    return { name, port };
  }

  /** Who answered `count` requests in a row through the proxy, each on a new connection. */
  async function answers(count: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i += 1) {
      const { status, body } = await httpGet(proxy.port, '/');
      seen.add(status === 200 ? body : `status ${status}`);
    }
    return seen;
  }
  const exactly =
    (...names: string[]) =>
    async () => {
      const seen = await answers(12);
      return seen.size === names.length && names.every((n) => seen.has(n));
    };

  beforeAll(async () => {
    proxy = await startHaproxy([await node('a'), await node('b')]);
  });
  afterAll(async () => {
    await proxy?.stop();
    for (const { server } of nodes) server.close();
  });

  it('spreads requests over both healthy nodes', async () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    await eventually('both nodes answering', exactly('a', 'b'));
  });

  it('stops sending to a node whose /healthz fails, and takes it back', async () => {
    healthy.set('b', false);
    await eventually('only a answering', exactly('a'));
    healthy.set('b', true);
    await eventually('both nodes answering again', exactly('a', 'b'));
  });

  it('reloads with a new backend list', async () => {
    const c = await node('c');
    await proxy.reload([c]);
    await eventually('only c answering', exactly('c'));
  });
});

describe('deploy/haproxy.cfg and the local template', () => {
  // The local template is a copy of production with loopback addresses and quick checks:
  // the settings Parley depends on (WebSocket timeouts, the health check) must not drift.
  const shared = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^(timeout |option httpchk|http-check expect|balance )/.test(line));

  it('share timeouts, balancing and the health check', () => {
    const production = shared(path.join(HERE, '..', 'haproxy.cfg'));
    expect(production).toContain('timeout tunnel 1h');
    expect(production).toContain('option httpchk GET /healthz');
    expect(shared(HAPROXY_TEMPLATE)).toEqual(production);
  });
});
