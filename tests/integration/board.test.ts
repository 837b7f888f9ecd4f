// Issue 17, the whiteboard, over real sockets and SQLite: Yjs documents synced with the
// y-protocols messages through the server, which checks the right to draw on every change,
// stores each one before its `ok`, and gives a late joiner, a resumed socket and a restarted
// server the whole board.
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import { BoardBot } from './support/boardBot.ts';
import { TestClient } from './support/client.ts';
import { guestCookie, guestTab } from './support/guests.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

/** A member of `roomId` with their board open. */
async function member(server: TestServer, roomId: string, name: string, extra = {}) {
  const cookie = await guestCookie(server.url);
  const { c, joined } = await guestTab(clients, server.url, cookie, roomId, name, extra);
  const bot = new BoardBot(c);
  expect(await bot.open()).toMatchObject({ type: 'ok' });
  return { c, joined, bot, cookie };
}

async function classroom(server?: TestServer) {
  const s = server ?? (await startTestServer());
  if (!server) servers.push(s);
  const { id, hostKey } = await s.createRoom();
  const teacher = await member(s, id, 'Teacher', { hostKey });
  return { server: s, id, hostKey, teacher };
}

const strokes = (bot: BoardBot) => bot.strokes.toArray();

describe('whiteboard (issue 17)', () => {
  it('passes each stroke to everyone who opened the board, and a late joiner gets them all', async () => {
    const { server, id, teacher } = await classroom();
    const ann = await member(server, id, 'Ann');
    expect(await teacher.bot.draw('circle')).toMatchObject({ type: 'ok' });
    await ann.bot.until((b) => strokes(b).includes('circle'));
    expect(await ann.bot.draw('arrow')).toMatchObject({ type: 'ok' });
    await teacher.bot.until((b) => strokes(b).length === 2);
    const bob = await member(server, id, 'Bob');
    await bob.bot.until((b) => strokes(b).length === 2);
    expect(strokes(bob.bot)).toEqual(strokes(teacher.bot));
    // Someone in the meeting who never opened the board is sent none of it.
    const { c: quiet } = await guestTab(
      clients,
      server.url,
      await guestCookie(server.url),
      id,
      'Q',
    );
    await teacher.bot.draw('after');
    await bob.bot.until((b) => strokes(b).includes('after'));
    expect(quiet.of('board-sync')).toEqual([]);
  });

  it('refuses a guest hand-made change once drawing is hosts-only, and nobody sees it', async () => {
    const { server, id, teacher } = await classroom();
    const ann = await member(server, id, 'Ann');
    const bob = await member(server, id, 'Bob');
    const off = await teacher.c.request({ type: 'settings', settings: { draw: false } });
    expect(off).toMatchObject({ type: 'settings', settings: { draw: false } });
    const refused = await ann.bot.draw('graffiti');
    expect(refused).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    // The teacher still draws; Bob gets that, and never the graffiti.
    await teacher.bot.draw('lesson');
    await bob.bot.until((b) => strokes(b).includes('lesson'));
    expect(strokes(bob.bot)).toEqual(['lesson']);
    const late = await member(server, id, 'Late');
    await late.bot.until((b) => strokes(b).length === 1);
    expect(strokes(late.bot)).toEqual(['lesson']);
    // Drawing on again: the same guest may.
    await teacher.c.request({ type: 'settings', settings: { draw: true } });
    const fresh = await member(server, id, 'Ann again');
    await fresh.bot.until((b) => strokes(b).length === 1);
    expect(await fresh.bot.draw('allowed')).toMatchObject({ type: 'ok' });
    await teacher.bot.until((b) => strokes(b).includes('allowed'));
  });

  it('answers a malformed or out-of-order change with BAD_MESSAGE and keeps the board', async () => {
    const { server, id, teacher } = await classroom();
    const ann = await member(server, id, 'Ann');
    const junk = await ann.c.request({ type: 'board-sync', data: 'AgMBAgM=' });
    expect(junk).toMatchObject({ type: 'error', code: ERROR_CODES.BAD_MESSAGE });
    await teacher.bot.draw('kept');
    await ann.bot.until((b) => strokes(b).includes('kept'));
  });

  it('catches a resumed socket up with what it missed', async () => {
    const server = await startTestServer({ resumeWindowMs: 30_000 });
    servers.push(server);
    const { id, teacher } = await classroom(server);
    const ann = await member(server, id, 'Ann');
    ann.c.ws.terminate(); // the network drops; the seat is kept for the resume window
    await ann.c.closed;
    await teacher.bot.draw('while you were away');
    const back = await TestClient.connect(server.url, { headers: { cookie: ann.cookie } });
    clients.push(back);
    await back.request({ type: 'hello', version: PROTOCOL_VERSION });
    const resumed = await back.request({
      type: 'resume',
      roomId: id,
      peerId: ann.joined.peerId,
      resumeToken: ann.joined.resumeToken,
      lastSeq: 0,
    });
    expect(resumed).toMatchObject({ type: 'joined', resumed: true });
    const bot = new BoardBot(back);
    await bot.open();
    await bot.until((b) => strokes(b).includes('while you were away'));
  });

  it('keeps the board across a server restart', async () => {
    const first = await startTestServer();
    const { id, hostKey, teacher } = await classroom(first);
    for (const label of ['one', 'two', 'three']) {
      expect(await teacher.bot.draw(label)).toMatchObject({ type: 'ok' });
    }
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir });
    servers.push(second);
    const back = await member(second, id, 'Teacher', { hostKey });
    await back.bot.until((b) => strokes(b).length === 3);
    expect(strokes(back.bot)).toEqual(['one', 'two', 'three']);
    expect(await back.bot.draw('four')).toMatchObject({ type: 'ok' });
  });

  it('tells everyone who presents, and a joiner learns it in `joined`', async () => {
    const { server, id, teacher } = await classroom();
    const ann = await member(server, id, 'Ann');
    const denied = await ann.c.request({ type: 'board-present', pageId: 'p1' });
    expect(denied).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    expect(await teacher.c.request({ type: 'board-present', pageId: 'p2' })).toMatchObject({
      type: 'ok',
    });
    const seen = await ann.c.next((m) => m.type === 'board-presenting');
    expect(seen).toMatchObject({ presenter: { name: 'Teacher', pageId: 'p2' } });
    const bob = await member(server, id, 'Bob');
    expect(bob.joined.boardPresenter).toMatchObject({ name: 'Teacher', pageId: 'p2' });
    await teacher.c.request({ type: 'leave' });
    await bob.c.next((m) => m.type === 'board-presenting' && m.presenter === null);
  });

  it('hands hosts a ticket to upload slides and guests one to read them, through the real server', async () => {
    const { server, id, teacher } = await classroom();
    const ann = await member(server, id, 'Ann');
    const forTeacher = await teacher.c.request({ type: 'board-ticket' });
    const forAnn = await ann.c.request({ type: 'board-ticket' });
    expect(forTeacher).toMatchObject({ type: 'board-ticket', upload: true });
    expect(forAnn).toMatchObject({ type: 'board-ticket', upload: false });
    if (forTeacher.type !== 'board-ticket' || forAnn.type !== 'board-ticket') return;
    const pdf = Buffer.from('%PDF-1.4\n% a tiny stand-in deck\n%%EOF\n');
    const upload = (ticket: string) =>
      fetch(`${server.url}/api/rooms/${id}/slides`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ticket}`, 'Content-Type': 'application/pdf' },
        body: pdf,
      });
    expect((await upload(forAnn.ticket)).status).toBe(403);
    const created = await upload(forTeacher.ticket);
    expect(created.status).toBe(201);
    const { deckId } = (await created.json()) as { deckId: string };
    const read = await fetch(`${server.url}/api/rooms/${id}/slides/${deckId}?t=${forAnn.ticket}`);
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(pdf)).toBe(true);
  });
});
