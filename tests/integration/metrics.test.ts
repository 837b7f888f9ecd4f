import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/** Reads one sample from Prometheus text, e.g. value(text, 'parley_rooms{mode="mesh"}'). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

const TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      metrics: { token: TOKEN, listen: undefined },
      turn: { urls: ['turn:127.0.0.1:3478'], secret: 'metrics-secret' },
      sfu: {
        workers: 1,
        listenIp: '127.0.0.1',
        announcedIp: undefined,
        webRtcPortBase: 0,
        rtcMinPort: 43000,
        rtcMaxPort: 43999,
      },
      meshMaxPeers: 1,
    });
  });
  afterAll(() => server.dispose());

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    return res.text();
  };

  it('exposes the documented series, and they move with traffic', async () => {
    const before = await scrape();
    for (const name of [
      'parley_rooms',
      'parley_peers',
      'parley_ws_connections',
      'parley_ws_messages_total',
      'parley_errors_total',
      'parley_mode_switch_seconds',
      'parley_turn_credentials_minted_total',
      'parley_resumes_total',
      'parley_joins_total',
      'parley_sfu_worker_cpu_seconds',
      'parley_sfu_worker_max_rss_bytes',
      'parley_sfu_objects',
      'parley_process_cpu_seconds_total',
    ]) {
      expect(before, name).toContain(`# TYPE ${name} `);
    }
    expect(value(before, 'parley_ws_connections')).toBe(0);

    const { id } = await server.createRoom();
    const a = await TestClient.ready(server.url);
    await a.join(id, 'A');
    const b = await TestClient.ready(server.url);
    await b.join(id, 'B'); // second peer > meshMaxPeers (1): the room switches to the SFU
    await a.request({ type: 'nope' });
    // Someone in the waiting room of another room.
    const waitingRoom = await server.createRoom({});
    const w = await TestClient.ready(server.url);
    await w.request({
      type: 'join',
      roomId: waitingRoom.id,
      name: 'W',
      media: { audio: true, video: true },
    });

    const after = await scrape();
    expect(value(after, 'parley_ws_connections')).toBe(3);
    expect(value(after, 'parley_peers{state="waiting"}')).toBe(1);
    expect(value(after, 'parley_rooms{mode="sfu"}')).toBe(1);
    expect(value(after, 'parley_peers{state="admitted"}')).toBe(2);
    expect(value(after, 'parley_joins_total')).toBe(2);
    expect(value(after, 'parley_turn_credentials_minted_total')).toBe(2);
    expect(value(after, 'parley_errors_total{code="BAD_MESSAGE"}')).toBe(1);
    expect(value(after, 'parley_mode_switch_seconds_count{to="sfu"}')).toBe(1);
    expect(value(after, 'parley_ws_messages_total{direction="in"}')).toBeGreaterThanOrEqual(5);
    const pid = server.sfu?.workerPids()[0];
    expect(value(after, `parley_sfu_worker_max_rss_bytes{pid="${pid}"}`)).toBeGreaterThan(
      1_000_000,
    );
    await Promise.all([a.close(), b.close()]);
  });
});

describe('parley_joins_total', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('counts guests let in from the waiting room, not only those who walk in', async () => {
    const joins = async (): Promise<number> =>
      value(await (await fetch(`${server.url}/metrics`)).text(), 'parley_joins_total');
    // The product default: the waiting room is on.
    const room = await server.createRoom({});
    const host = await TestClient.ready(server.url);
    await host.join(room.id, 'Host', room.hostKey);
    expect(await joins()).toBe(1);
    const guests = await Promise.all(['Ann', 'Bob'].map(() => TestClient.ready(server.url)));
    for (const [i, guest] of guests.entries()) {
      const join = {
        type: 'join',
        roomId: room.id,
        name: `G${i}`,
        media: { audio: true, video: true },
      };
      expect(await guest.request(join)).toMatchObject({ type: 'waiting' });
    }
    // Waiting is not joining.
    expect(await joins()).toBe(1);
    const [ann, bob] = guests as [TestClient, TestClient];
    const lobby = await host.next((m) => m.type === 'lobby' && m.waiting.length === 2);
    const first = lobby.type === 'lobby' ? lobby.waiting[0]?.peerId : undefined;
    expect(await host.request({ type: 'admit', peerId: first })).toMatchObject({ type: 'ok' });
    await ann.next((m) => m.type === 'joined');
    expect(await joins()).toBe(2);
    expect(await host.request({ type: 'admit-all' })).toMatchObject({ type: 'ok' });
    await bob.next((m) => m.type === 'joined');
    expect(await joins()).toBe(3);
    await Promise.all([host.close(), ann.close(), bob.close()]);
  });
});

describe('who may read /metrics (issue 14)', () => {
  const get = (url: string, token?: string) =>
    fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('with METRICS_TOKEN: only a bearer of the token, whatever the listen address', async () => {
    const server = await startTestServer({
      host: '0.0.0.0',
      metrics: { token: TOKEN, listen: undefined },
    });
    try {
      const url = server.url.replace('localhost', '127.0.0.1');
      const missing = await get(url);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await get(url, `${TOKEN}x`)).status).toBe(401);
      expect((await get(url, 'short')).status).toBe(401);
      const ok = await get(url, TOKEN);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE parley_rooms ');
    } finally {
      await server.dispose();
    }
  });

  it('without a token or a separate listener: off on a non-loopback listener', async () => {
    const server = await startTestServer({ host: '0.0.0.0' });
    try {
      const url = server.url.replace('localhost', '127.0.0.1');
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('parley_');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await server.dispose();
    }
  });

  it('with METRICS_LISTEN: served there, and no longer on the main listener', async () => {
    const server = await startTestServer({
      metrics: { token: undefined, listen: { host: '127.0.0.1', port: 0 } },
    });
    try {
      if (!server.metricsUrl) throw new Error('no metrics listener');
      expect(server.metricsUrl).not.toBe(server.url);
      expect((await get(server.url)).status).toBe(404);
      const res = await get(server.metricsUrl);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE parley_rooms ');
      // The separate listener answers nothing else.
      expect((await fetch(`${server.metricsUrl}/healthz`)).status).toBe(404);
      expect((await fetch(`${server.metricsUrl}/api/rooms`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.dispose();
    }
  });
});
