import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function twoInARoom(resumeWindowMs: number) {
  const server = await startTestServer({ resumeWindowMs });
  servers.push(server);
  const { id, hostKey } = await server.createRoom();
  const a = await TestClient.ready(server.url);
  const ja = await a.join(id, 'Host', hostKey);
  const b = await TestClient.ready(server.url);
  const jb = await b.join(id, 'Guest');
  return { server, id, a, ja, b, jb };
}

const resumeOf = (j: ServerMessageOf<'joined'>, lastSeq = 0) => ({
  type: 'resume',
  roomId: j.roomId,
  peerId: j.peerId,
  resumeToken: j.resumeToken,
  lastSeq,
});

describe('resuming a dropped socket', () => {
  it('keeps the seat: same peer id and role, no leave seen, missed chat and signals delivered', async () => {
    const { server, a, ja, b, jb } = await twoInARoom(2000);
    await a.request({ type: 'chat', clientId: 'before-0001', text: 'before' });
    a.ws.terminate(); // the network vanished: no close frame, no leave
    const connections = async (): Promise<number> =>
      ((await (await fetch(`${server.url}/healthz`)).json()) as { connections: number })
        .connections;
    await eventually(async () => (await connections()) === 1);
    await b.request({ type: 'chat', clientId: 'during-0001', text: 'while you were away' });
    b.send({ type: 'signal', to: ja.peerId, data: { candidate: 'held' } });
    await b.request({ type: 'ping' });

    const a2 = await TestClient.ready(server.url);
    const back = await a2.request(resumeOf(ja, 1));
    expect(back).toMatchObject({ type: 'joined', resumed: true, peerId: ja.peerId, role: 'host' });
    const joined = back as ServerMessageOf<'joined'>;
    expect(joined.peers.map((p) => p.peerId)).toEqual([jb.peerId]);
    expect(joined.chat.map((m) => m.text)).toEqual(['while you were away']);
    expect(joined.iceServers).toEqual([]);
    const held = await a2.next((m) => m.type === 'signal');
    expect(held).toEqual({ type: 'signal', from: jb.peerId, data: { candidate: 'held' } });
    await new Promise((r) => setTimeout(r, 2200)); // past the window: the seat must still be there
    expect(b.of('peer-left')).toHaveLength(0);
    a2.send({ type: 'signal', to: jb.peerId, data: { hi: 1 } });
    await b.next((m) => m.type === 'signal' && m.from === ja.peerId);
    await Promise.all([a2.close(), b.close()]);
  });

  it('releases the seat after the window: others see a leave, resume fails, a new join works', async () => {
    const { server, id, a, ja, b } = await twoInARoom(200);
    a.ws.terminate();
    await b.next((m) => m.type === 'peer-left' && m.peerId === ja.peerId, 3000);
    const late = await TestClient.ready(server.url);
    expect(await late.request(resumeOf(ja))).toMatchObject({ code: ERROR_CODES.RESUME_FAILED });
    const again = await late.join(id, 'Host again');
    expect(again.peerId).not.toBe(ja.peerId);
    await b.next((m) => m.type === 'peer-joined' && m.peer.peerId === again.peerId);
    await Promise.all([late.close(), b.close()]);
  });

  it('refuses a wrong token, and a resume takes over a half-open old socket (closed 4003)', async () => {
    const { server, a, ja, b } = await twoInARoom(5000);
    const thief = await TestClient.ready(server.url);
    const stolen = await thief.request({ ...resumeOf(ja), resumeToken: 'x'.repeat(22) });
    expect(stolen).toMatchObject({ code: ERROR_CODES.RESUME_FAILED });
    const a2 = await TestClient.ready(server.url);
    expect(await a2.request(resumeOf(ja))).toMatchObject({ type: 'joined', resumed: true });
    expect((await a.closed).code).toBe(CLOSE_CODES.REPLACED);
    await a2.request({ type: 'ping' });
    expect(b.of('peer-left')).toHaveLength(0);
    await Promise.all([a2.close(), b.close(), thief.close()]);
  });

  it('an explicit leave releases the seat at once', async () => {
    const { a, ja, b } = await twoInARoom(30_000);
    await a.request({ type: 'leave' });
    await b.next((m) => m.type === 'peer-left' && m.peerId === ja.peerId, 1000);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('ICE server refresh', () => {
  it('mints a fresh TURN credential on request', async () => {
    const server = await startTestServer({
      turn: { urls: ['turn:127.0.0.1:3478'], secret: 'refresh-secret' },
      turnTtlS: 600,
    });
    servers.push(server);
    const { id } = await server.createRoom();
    const c = await TestClient.ready(server.url);
    const joined = await c.join(id, 'T');
    const fresh = await c.request({ type: 'ice-refresh' });
    expect(fresh).toMatchObject({ type: 'ice-servers' });
    const turn = (fresh as ServerMessageOf<'ice-servers'>).iceServers[0];
    expect(turn?.username).toMatch(new RegExp(`:${joined.peerId}$`));
    await c.close();
  });
});
