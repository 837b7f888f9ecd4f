import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

async function roomWith(n: number, options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options);
  servers.push(server);
  const { id } = await server.createRoom();
  const clients: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await TestClient.ready(server.url);
    await c.join(id, `P${i}`);
    clients.push(c);
  }
  return { server, id, clients };
}

describe('chat', () => {
  it('acks with a room sequence number and fans out to everyone, emoji intact', async () => {
    const { clients } = await roomWith(3);
    const [a, b, c] = clients as [TestClient, TestClient, TestClient];
    const text = 'héllo 👋🏽 <b>not bold</b> 家族';
    const ack = await a.request({ type: 'chat', clientId: 'msg-00000001', text });
    expect(ack).toMatchObject({ type: 'chat-ack', clientId: 'msg-00000001', seq: 1 });
    for (const client of [a, b, c]) {
      const got = await client.next((m) => m.type === 'chat');
      expect(got).toMatchObject({ type: 'chat', message: { seq: 1, text, name: 'P0' } });
    }
    const ack2 = await b.request({ type: 'chat', clientId: 'msg-00000002', text: 'two' });
    expect(ack2).toMatchObject({ seq: 2 });
  });

  it('does not duplicate a resend of the same client id', async () => {
    const { clients } = await roomWith(2);
    const [a, b] = clients as [TestClient, TestClient];
    const first = await a.request({ type: 'chat', clientId: 'resend-0001', text: 'once' });
    const again = await a.request({ type: 'chat', clientId: 'resend-0001', text: 'once' });
    expect(again).toMatchObject({ type: 'chat-ack', seq: (first as { seq: number }).seq });
    await a.request({ type: 'ping' });
    await b.request({ type: 'ping' });
    expect(b.of('chat')).toHaveLength(1);
  });

  it('refuses empty and over-long text with a typed error, storing nothing', async () => {
    const { clients } = await roomWith(1);
    const [a] = clients as [TestClient];
    const long = await a.request({
      type: 'chat',
      clientId: 'long-0001',
      text: 'x'.repeat(LIMITS.CHAT_TEXT_MAX + 1),
    });
    expect(long).toMatchObject({ type: 'error', code: ERROR_CODES.BAD_MESSAGE, ref: 'chat' });
    const empty = await a.request({ type: 'chat', clientId: 'empty-0001', text: '   ' });
    expect(empty).toMatchObject({ type: 'error', code: ERROR_CODES.BAD_MESSAGE });
    const history = await a.request({ type: 'chat-sync', since: 0 });
    expect(history).toMatchObject({ type: 'chat-history', messages: [], more: false });
  });

  it('gives a newcomer recent history and a reconnecting client what it missed', async () => {
    const { server, id, clients } = await roomWith(1);
    const [a] = clients as [TestClient];
    for (let i = 1; i <= 5; i++)
      await a.request({ type: 'chat', clientId: `hist-000${i}`, text: `m${i}` });
    const late = await TestClient.ready(server.url);
    const joined = await late.join(id, 'Late');
    expect(joined.chat.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    const missed = await late.request({ type: 'chat-sync', since: 3 });
    expect(missed).toMatchObject({ messages: [{ seq: 4 }, { seq: 5 }], more: false });
    await late.close();
  });

  it('pages a long history through chat-sync', async () => {
    const { clients } = await roomWith(1, { rateLimit: { perSec: 10_000, burst: 10_000 } });
    const [a] = clients as [TestClient];
    const total = LIMITS.CHAT_SYNC_MAX + 20;
    for (let i = 0; i < total; i++) {
      const clientId = `page-${String(i).padStart(6, '0')}`;
      await a.request({ type: 'chat', clientId, text: `n${i}` });
    }
    const first = await a.request({ type: 'chat-sync', since: 0 });
    expect(first).toMatchObject({ more: true });
    const second = await a.request({ type: 'chat-sync', since: LIMITS.CHAT_SYNC_MAX });
    expect(second).toMatchObject({ more: false });
    expect((second as { messages: unknown[] }).messages).toHaveLength(20);
  });

  it('keeps acked messages across a server restart', async () => {
    const first = await startTestServer();
    const { id } = await first.createRoom();
    const a = await TestClient.ready(first.url);
    await a.join(id, 'A');
    const ack = await a.request({ type: 'chat', clientId: 'persist-01', text: 'still here ✅' });
    expect(ack.type).toBe('chat-ack');
    await first.close();
    expect((await a.closed).code).toBe(1001);
    const second = await startTestServer({ dataDir: first.dataDir });
    servers.push(second);
    const b = await TestClient.ready(second.url);
    const joined = await b.join(id, 'B');
    expect(joined.chat).toMatchObject([{ seq: 1, text: 'still here ✅', clientId: 'persist-01' }]);
    const next = await b.request({ type: 'chat', clientId: 'persist-02', text: 'after' });
    expect(next).toMatchObject({ seq: 2 });
    await b.close();
  });
});
