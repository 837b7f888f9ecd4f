// Issue 21, after the session: the server records who was in each meeting and for how long,
// from admissions and leaves (never from what a client says), and each person rates the
// meeting once. Real servers on SQLite and on a real PostgreSQL; the attendance clock is the
// test's, so durations are exact without waiting.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS, PROTOCOL_VERSION } from '@parley/protocol';
import type {
  MeetingReport,
  MeetingSummary,
  SeriesFeedback,
  ServerMessageOf,
} from '@parley/protocol';
import { startPostgres } from '../../deploy/local/index.ts';
import type { LocalPostgres } from '../../deploy/local/index.ts';
import { TestClient, eventually } from './support/client.ts';
import { guestCookie, guestTab } from './support/guests.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);

let pg: LocalPostgres | undefined;
const servers: TestServer[] = [];
const clients: TestClient[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.cleanup();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

type Engine = 'sqlite' | 'postgres';

/** A server whose attendance clock the test moves. */
async function serverOn(engine: Engine, extra = {}) {
  const clock = { t: T0 };
  const server = await startTestServer({
    now: () => clock.t,
    ...(engine === 'postgres' ? { databaseUrl: (pg as LocalPostgres).url } : {}),
    ...extra,
  });
  servers.push(server);
  return { server, clock };
}

const tab = (server: TestServer, roomId: string, name: string, cookie: string, extra = {}) =>
  guestTab(clients, server.url, cookie, roomId, name, extra);

async function leave(c: TestClient): Promise<void> {
  expect(await c.request({ type: 'leave' })).toMatchObject({ type: 'left' });
}

async function getJson<T>(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

const rate = (server: TestServer, body: unknown) =>
  fetch(`${server.url}/api/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The room's meetings as its host sees them, once `ready` holds (writes land after replies). */
async function meetingsOf(
  server: TestServer,
  roomId: string,
  hostKey: string,
  ready: (m: MeetingSummary[]) => boolean,
): Promise<MeetingSummary[]> {
  let meetings: MeetingSummary[] = [];
  await eventually(async () => {
    const res = await getJson<{ meetings: MeetingSummary[] }>(
      `${server.url}/api/rooms/${roomId}/meetings`,
      { 'x-host-key': hostKey },
    );
    meetings = res.body.meetings;
    return res.status === 200 && ready(meetings);
  });
  return meetings;
}

describe.each<Engine>(['sqlite', 'postgres'])(
  'attendance and feedback (issue 21): %s',
  (engine) => {
    it('gives the host a CSV with one row per person and their time, however they reconnected', async () => {
      const { server, clock } = await serverOn(engine, { resumeWindowMs: 30_000 });
      const { id, hostKey } = await server.createRoom();
      const [hostCookie, annCookie, bobCookie] = await Promise.all(
        [1, 2, 3].map(() => guestCookie(server.url)),
      );
      const host = await tab(server, id, 'Teacher', hostCookie!, { hostKey });
      clock.t = T0 + 1 * MIN;
      const ann = await tab(server, id, 'Ann', annCookie!);
      clock.t = T0 + 2 * MIN;
      const bob = await tab(server, id, '=HYPERLINK("x")', bobCookie!);
      // Ann reloads at 5 min (the same browser joins again and takes over its seat) ...
      clock.t = T0 + 5 * MIN;
      const annAgain = await tab(server, id, 'Ann', annCookie!);
      await ann.c.next((m) => m.type === 'removed');
      // ... her socket drops at 8 min, and at 9 she resumes its seat: she never left.
      clock.t = T0 + 8 * MIN;
      annAgain.c.ws.terminate();
      clock.t = T0 + 9 * MIN;
      const resumed = await TestClient.connect(server.url, { headers: { cookie: annCookie! } });
      clients.push(resumed);
      await resumed.request({ type: 'hello', version: PROTOCOL_VERSION });
      const { peerId, resumeToken } = annAgain.joined;
      const reply = await resumed.request({
        type: 'resume',
        roomId: id,
        peerId,
        resumeToken,
        lastSeq: 0,
      });
      expect(reply).toMatchObject({ type: 'joined', resumed: true });
      clock.t = T0 + 11 * MIN;
      await leave(resumed);
      // Bob leaves at 21, the host at 31: the room is empty, the meeting over.
      clock.t = T0 + 21 * MIN;
      await leave(bob.c);
      clock.t = T0 + 31 * MIN;
      await leave(host.c);

      const [meeting] = await meetingsOf(
        server,
        id,
        hostKey,
        (m) => m[0]?.endedAt !== null && m.length === 1,
      );
      expect(meeting).toMatchObject({ startedAt: T0, endedAt: T0 + 31 * MIN, attendees: 3 });
      const res = await fetch(
        `${server.url}/api/rooms/${id}/meetings/${meeting!.id}/attendance.csv`,
        {
          headers: { 'x-host-key': hostKey },
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment/);
      const iso = (m: number) => new Date(T0 + m * MIN).toISOString();
      expect((await res.text()).split('\r\n')).toEqual([
        'name,account_email,first_joined,last_left,minutes,stays',
        `Teacher,,${iso(0)},${iso(31)},31.0,1`,
        `Ann,,${iso(1)},${iso(11)},10.0,1`,
        // A name that a spreadsheet would run as a formula is defused (and quoted).
        `"'=HYPERLINK(""x"")",,${iso(2)},${iso(21)},19.0,1`,
        '',
      ]);

      // The next session of the room is a new meeting; one who leaves and comes back has two stays.
      clock.t = T0 + 60 * MIN;
      const cara = await tab(server, id, 'Cara', hostCookie!);
      const back = await tab(server, id, 'Ann', annCookie!);
      clock.t = T0 + 65 * MIN;
      await leave(back.c);
      clock.t = T0 + 66 * MIN;
      const annThird = await tab(server, id, 'Ann', annCookie!);
      clock.t = T0 + 70 * MIN;
      await leave(annThird.c);
      clock.t = T0 + 71 * MIN;
      await leave(cara.c);
      const meetings = await meetingsOf(
        server,
        id,
        hostKey,
        (m) => m.length === 2 && m[0]?.endedAt !== null,
      );
      const { body } = await getJson<MeetingReport>(
        `${server.url}/api/rooms/${id}/meetings/${meetings[0]!.id}`,
        { 'x-host-key': hostKey },
      );
      expect(body.attendees.map((a) => [a.name, a.durationMs / MIN, a.stays])).toEqual([
        ['Ann', 9, 2],
        ['Cara', 11, 1],
      ]);
    });

    it('names a signed-in person by their account in the CSV, a guest by the name they gave', async () => {
      const { server, clock } = await serverOn(engine);
      const signup = await fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `ada-${engine}@example.org`,
          password: 'correct horse battery staple',
          name: 'Ada Lovelace',
        }),
      });
      const { accessToken } = (await signup.json()) as { accessToken: string };
      const { id, hostKey } = await server.createRoom();
      const [adaCookie, guestCookieValue] = await Promise.all(
        [1, 2].map(() => guestCookie(server.url)),
      );
      const ada = await tab(server, id, 'Ada at home', adaCookie!, { accessToken });
      const guest = await tab(server, id, 'Grace', guestCookieValue!);
      clock.t = T0 + 3 * MIN;
      await leave(guest.c);
      await leave(ada.c);
      const [meeting] = await meetingsOf(server, id, hostKey, (m) => m[0]?.endedAt !== null);
      const csv = await fetch(
        `${server.url}/api/rooms/${id}/meetings/${meeting!.id}/attendance.csv`,
        {
          headers: { 'x-host-key': hostKey },
        },
      );
      const iso = (m: number) => new Date(T0 + m * MIN).toISOString();
      expect((await csv.text()).split('\r\n')).toEqual([
        'name,account_email,first_joined,last_left,minutes,stays',
        `Ada Lovelace,ada-${engine}@example.org,${iso(0)},${iso(3)},3.0,1`,
        `Grace,,${iso(0)},${iso(3)},3.0,1`,
        '',
      ]);
    });

    it('takes one rating per person, shows the host the average and comments, and nobody else', async () => {
      const { server, clock } = await serverOn(engine);
      const { id, hostKey } = await server.createRoom();
      const [hostCookie, annCookie] = await Promise.all([1, 2].map(() => guestCookie(server.url)));
      const host = await tab(server, id, 'Teacher', hostCookie!, { hostKey });
      const ann = await tab(server, id, 'Ann', annCookie!);
      const ticketOf = (j: ServerMessageOf<'joined'>) => j.feedback?.ticket as string;
      expect(ticketOf(ann.joined)).toMatch(/\./);
      clock.t = T0 + 20 * MIN;
      await leave(ann.c);
      await leave(host.c);

      // Validation: stars in 1-5, a bounded comment, a genuine ticket, JSON only.
      const annTicket = ticketOf(ann.joined);
      for (const bad of [
        { ticket: annTicket, stars: 0 },
        { ticket: annTicket, stars: 6 },
        { ticket: annTicket, stars: 4.5 },
        { ticket: annTicket, stars: 4, comment: 'x'.repeat(LIMITS.FEEDBACK_COMMENT_MAX + 1) },
        { ticket: annTicket, stars: 4, extra: true },
        { stars: 4 },
      ]) {
        const res = await rate(server, bad);
        expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
        expect(await res.json()).toMatchObject({ error: { code: ERROR_CODES.BAD_MESSAGE } });
      }
      const forged = `${annTicket.split('.')[0]}.${'A'.repeat(43)}`;
      expect((await rate(server, { ticket: forged, stars: 5 })).status).toBe(403);

      expect(
        (await rate(server, { ticket: annTicket, stars: 4, comment: '  Clear and useful ' }))
          .status,
      ).toBe(201);
      const again = await rate(server, { ticket: annTicket, stars: 1 });
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ error: { code: ERROR_CODES.ALREADY_RATED } });
      clock.t = T0 + 25 * MIN;
      expect((await rate(server, { ticket: ticketOf(host.joined), stars: 2 })).status).toBe(201);

      const [meeting] = await meetingsOf(server, id, hostKey, (m) => m[0]?.ratings === 2);
      expect(meeting).toMatchObject({ ratings: 2, averageStars: 3, attendees: 2 });
      const url = `${server.url}/api/rooms/${id}/meetings/${meeting!.id}`;
      const report = await getJson<MeetingReport>(url, { 'x-host-key': hostKey });
      expect(report.body.feedback.map((f) => [f.stars, f.comment])).toEqual([
        [4, 'Clear and useful'],
        [2, null],
      ]);

      // Nobody but the room's hosts reads it: no credentials, a wrong host key, another room's
      // key, a signed-in user who does not own the room.
      const other = await server.createRoom();
      expect((await getJson(url)).status).toBe(401);
      expect((await getJson(`${url}/attendance.csv`)).status).toBe(401);
      expect((await getJson(url, { 'x-host-key': 'not-the-key' })).body).toMatchObject({
        error: { code: ERROR_CODES.FORBIDDEN },
      });
      expect(
        (await getJson(`${server.url}/api/rooms/${id}/meetings`, { 'x-host-key': other.hostKey }))
          .status,
      ).toBe(403);
      const signup = await fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `stranger-${engine}@example.org`,
          password: 'correct horse battery staple',
          name: 'Stranger',
        }),
      });
      const { accessToken } = (await signup.json()) as { accessToken: string };
      expect((await getJson(url, { authorization: `Bearer ${accessToken}` })).status).toBe(403);
      // A meeting of another room is not found through this one.
      expect(
        (
          await getJson(`${server.url}/api/rooms/${other.id}/meetings/${meeting!.id}`, {
            'x-host-key': other.hostKey,
          })
        ).status,
      ).toBe(404);
    });

    it('sums up every meeting of the room for its host: the series average and its comments', async () => {
      const { server, clock } = await serverOn(engine);
      const { id, hostKey } = await server.createRoom();
      const [hostCookie, annCookie] = await Promise.all([1, 2].map(() => guestCookie(server.url)));
      const ticketOf = (j: ServerMessageOf<'joined'>) => j.feedback?.ticket as string;
      const given: { stars: number; comment?: string }[][] = [
        [{ stars: 5, comment: 'Loved the demo' }, { stars: 3 }],
        [{ stars: 2, comment: 'Too fast this week' }],
      ];
      // The same class two weeks running: each week a meeting of its own, rated after it.
      for (const [week, ratings] of given.entries()) {
        clock.t = T0 + week * 7 * 24 * 60 * MIN;
        const host = await tab(server, id, 'Teacher', hostCookie!, { hostKey });
        const ann = await tab(server, id, 'Ann', annCookie!);
        clock.t += 45 * MIN;
        await leave(ann.c);
        await leave(host.c);
        const tickets = [ticketOf(ann.joined), ticketOf(host.joined)];
        for (const [i, rating] of ratings.entries()) {
          expect((await rate(server, { ticket: tickets[i], ...rating })).status).toBe(201);
        }
      }
      const meetings = await meetingsOf(
        server,
        id,
        hostKey,
        (m) => m.length === 2 && m[0]?.ratings === 1,
      );

      const url = `${server.url}/api/rooms/${id}/feedback`;
      const { status, body } = await getJson<SeriesFeedback>(url, { 'x-host-key': hostKey });
      expect(status).toBe(200);
      const all = given.flat();
      expect(body).toMatchObject({ meetings: 2, ratings: all.length, comments: 2 });
      const mean = all.reduce((n, r) => n + r.stars, 0) / all.length;
      expect(body.averageStars).toBeCloseTo(mean, 6);
      // The newest meeting's comments first, each with the date of the meeting it is about.
      expect(body.latest.map((c) => [c.comment, c.stars, c.meetingStartedAt])).toEqual([
        ['Too fast this week', 2, meetings[0]!.startedAt],
        ['Loved the demo', 5, meetings[1]!.startedAt],
      ]);

      // Only the room's hosts read it; a bad room id is not found; it is read-only.
      const other = await server.createRoom();
      expect((await getJson(url)).status).toBe(401);
      expect((await getJson(url, { 'x-host-key': other.hostKey })).body).toMatchObject({
        error: { code: ERROR_CODES.FORBIDDEN },
      });
      expect((await getJson(`${server.url}/api/rooms/no%20room/feedback`)).body).toMatchObject({
        error: { code: ERROR_CODES.ROOM_NOT_FOUND },
      });
      const post = await fetch(url, { method: 'POST', headers: { 'x-host-key': hostKey } });
      expect(post.status).toBe(405);
    });
  },
);
