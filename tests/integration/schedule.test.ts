// Issue 21, scheduled meetings: a signed-in user schedules a meeting (it gets its room at once),
// invitees see it in their Upcoming list, the organiser edits and cancels it, and calendars get
// an .ics per meeting and a private feed per user. Real servers on SQLite and on a real
// PostgreSQL; every calendar is read back by an independent parser (ical.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  PROTOCOL_VERSION,
  SCHEDULE_ERROR_CODES,
  SCHEDULE_LIMITS,
} from '@parley/protocol';
import type {
  CalendarFeedResponse,
  ScheduledMeeting,
  SessionResponse,
  UpcomingResponse,
} from '@parley/protocol';
import { startPostgres } from '../../deploy/local/index.ts';
import type { LocalPostgres } from '../../deploy/local/index.ts';
import { parseCalendar } from './support/calendar.ts';
import { TestClient } from './support/client.ts';
import { guestCookie } from './support/guests.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const PASSWORD = 'correct horse battery staple';
/** The clock: 1 March 2027, three weeks before Berlin's clocks go forward (28 March). */
const T0 = Date.UTC(2027, 2, 1, 12, 0);
const WEEKLY = {
  title: 'Weekly sync',
  start: '2027-03-22T09:00',
  durationMin: 30,
  timeZone: 'Europe/Berlin',
  recurrence: { freq: 'weekly', count: 3 },
} as const;

let pg: LocalPostgres | undefined;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.cleanup();
});

let n = 0;
interface Person {
  email: string;
  token: string;
}

describe.each(['sqlite', 'postgres'] as const)('scheduled meetings (issue 21): %s', (engine) => {
  let server: TestServer;
  const clock = { t: T0 };
  beforeAll(async () => {
    server = await startTestServer({
      now: () => clock.t,
      ...(engine === 'postgres' ? { databaseUrl: (pg as LocalPostgres).url } : {}),
    });
  }, 30_000);
  afterAll(async () => {
    await server?.dispose();
  });

  const call = (method: string, path: string, who?: Person, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const signUp = async (email = `p${n++}-${engine}@x.test`): Promise<Person> => {
    const res = await call('POST', '/api/auth/signup', undefined, {
      email,
      password: PASSWORD,
      name: email.split('@')[0],
    });
    expect(res.status).toBe(201);
    return { email, token: ((await res.json()) as SessionResponse).accessToken };
  };
  const schedule = async (who: Person, body: unknown) => {
    const res = await call('POST', '/api/schedule', who, body);
    expect(res.status).toBe(201);
    return (await res.json()) as ScheduledMeeting;
  };
  const upcoming = async (who: Person) => {
    const res = await call('GET', '/api/schedule', who);
    expect(res.status).toBe(200);
    return ((await res.json()) as UpcomingResponse).meetings;
  };
  const ics = async (who: Person, id: string) => {
    const res = await call('GET', `/api/schedule/${id}/meeting.ics`, who);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    return parseCalendar(await res.text());
  };
  const errorOf = async (res: Response) => ({
    status: res.status,
    code: ((await res.json()) as { error: { code: string } }).error.code,
  });

  it('schedules a weekly meeting with its room, keeping 09:00 Berlin across the DST change', async () => {
    const ada = await signUp();
    const m = await schedule(ada, {
      ...WEEKLY,
      invitees: ['Bob-' + engine + '@X.test', 'carol@x.test'],
      waitingRoom: true,
      password: 'a long room password',
    });
    expect(m).toMatchObject({ title: 'Weekly sync', mine: true, sequence: 0, cancelled: false });
    expect(m.invitees).toEqual([`bob-${engine}@x.test`, 'carol@x.test']);
    expect(m.url).toBe(`${server.url}/r/${m.roomId}`);
    expect(m.nextStartsAt).toBe(Date.UTC(2027, 2, 22, 8, 0));
    // The room exists now, owned by the organiser, with the password and waiting room asked for.
    const rooms = await call('GET', '/api/me/rooms', ada);
    const owned = ((await rooms.json()) as { rooms: { id: string }[] }).rooms;
    expect(owned.map((r) => r.id)).toContain(m.roomId);
    const guest = await TestClient.connect(server.url, {
      headers: { cookie: await guestCookie(server.url) },
    });
    try {
      await guest.request({ type: 'hello', version: PROTOCOL_VERSION });
      const join = {
        type: 'join',
        roomId: m.roomId,
        name: 'Eve',
        media: { audio: true, video: false },
      };
      expect(await guest.request({ ...join, password: 'not the password' } as const)).toMatchObject(
        {
          type: 'error',
          code: ERROR_CODES.ROOM_NOT_FOUND,
        },
      );
      expect(
        await guest.request({ ...join, password: 'a long room password' } as const),
      ).toMatchObject({
        type: 'waiting',
      });
    } finally {
      await guest.close();
    }
    const cal = await ics(ada, m.id);
    expect(cal.method).toBe('REQUEST');
    expect(cal.events).toHaveLength(1);
    expect(cal.events[0]).toMatchObject({ uid: expect.stringContaining(m.id), sequence: 0 });
    expect(cal.events[0]?.tzid).toBe('Europe/Berlin');
    // 08:00 UTC before the change, 07:00 UTC after it: 09:00 local every week.
    expect(cal.events[0]?.starts).toEqual([
      '2027-03-22T08:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
      '2027-04-05T07:00:00.000Z',
    ]);
  });

  it('lists own and invited meetings, next first; the organiser alone edits and cancels', async () => {
    const ada = await signUp();
    const bob = await signUp();
    const dave = await signUp();
    const later = await schedule(ada, { ...WEEKLY, invitees: [bob.email.toUpperCase()] });
    const sooner = await schedule(bob, {
      title: 'Bob’s one-off',
      start: '2027-03-10T15:00',
      durationMin: 60,
      timeZone: 'America/New_York',
    });
    expect((await upcoming(bob)).map((m) => [m.id, m.mine])).toEqual([
      [sooner.id, true],
      [later.id, false],
    ]);
    expect((await upcoming(ada)).map((m) => m.id)).toEqual([later.id]);
    expect(await upcoming(dave)).toEqual([]);
    expect((await call('GET', `/api/schedule/${later.id}`, bob)).status).toBe(200);
    expect(await errorOf(await call('GET', `/api/schedule/${later.id}`, dave))).toEqual({
      status: 404,
      code: SCHEDULE_ERROR_CODES.MEETING_NOT_FOUND,
    });

    // An invitee may read it but not change it.
    const edit = { start: '2027-03-22T10:00' };
    expect(await errorOf(await call('PATCH', `/api/schedule/${later.id}`, bob, edit))).toEqual({
      status: 403,
      code: ERROR_CODES.FORBIDDEN,
    });
    expect(await errorOf(await call('DELETE', `/api/schedule/${later.id}`, bob))).toEqual({
      status: 403,
      code: ERROR_CODES.FORBIDDEN,
    });
    const before = await ics(ada, later.id);
    const res = await call('PATCH', `/api/schedule/${later.id}`, ada, edit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ start: '2027-03-22T10:00', sequence: 1 });
    const after = await ics(bob, later.id);
    expect(after.events[0]?.uid).toBe(before.events[0]?.uid);
    expect(after.events[0]?.sequence).toBe(1);
    expect(after.events[0]?.starts[0]).toBe('2027-03-22T09:00:00.000Z');

    expect((await call('DELETE', `/api/schedule/${later.id}`, ada)).status).toBe(204);
    expect((await upcoming(bob)).map((m) => m.id)).toEqual([sooner.id]);
    expect(await upcoming(ada)).toEqual([]);
    const cancelled = await ics(ada, later.id);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.events[0]).toMatchObject({
      uid: before.events[0]?.uid,
      sequence: 2,
      status: 'CANCELLED',
    });
    expect(await errorOf(await call('DELETE', `/api/schedule/${later.id}`, ada))).toEqual({
      status: 409,
      code: SCHEDULE_ERROR_CODES.MEETING_CANCELLED,
    });
    expect((await call('PATCH', `/api/schedule/${later.id}`, ada, edit)).status).toBe(409);
  });

  it('changes the room’s waiting room and password from an edit, without a calendar update', async () => {
    const ada = await signUp();
    const bob = await signUp();
    const m = await schedule(ada, { ...WEEKLY, invitees: [bob.email] });
    expect(m.room).toEqual({ waitingRoom: true, hasPassword: false });
    const guests: TestClient[] = [];
    /** A guest's answer to joining the room: `waiting`, `joined`, or the error's code. */
    const join = async (password?: string) => {
      const guest = await TestClient.connect(server.url, {
        headers: { cookie: await guestCookie(server.url) },
      });
      guests.push(guest);
      await guest.request({ type: 'hello', version: PROTOCOL_VERSION });
      const reply = await guest.request({
        type: 'join',
        roomId: m.roomId,
        name: 'Eve',
        media: { audio: true, video: false },
        ...(password === undefined ? {} : { password }),
      } as const);
      return reply.type === 'error' ? reply.code : reply.type;
    };
    const edit = (body: unknown, who = ada) => call('PATCH', `/api/schedule/${m.id}`, who, body);
    try {
      expect(await join()).toBe('waiting');
      for (const bad of [{ password: 'short' }, { password: 5 }, { waitingRoom: 'no' }]) {
        expect(await errorOf(await edit(bad)), JSON.stringify(bad)).toEqual({
          status: 400,
          code: ERROR_CODES.BAD_MESSAGE,
        });
      }
      expect((await edit({ waitingRoom: false }, bob)).status).toBe(403);

      const res = await edit({ waitingRoom: false, password: 'a brand new password' });
      expect(res.status).toBe(200);
      // Nothing a calendar shows changed: the same sequence, so no update goes out.
      expect(await res.json()).toMatchObject({
        sequence: 0,
        room: { waitingRoom: false, hasPassword: true },
      });
      await Promise.all(guests.splice(0).map((g) => g.close()));
      expect(await join()).toBe(ERROR_CODES.ROOM_NOT_FOUND);
      expect(await join('a brand new password')).toBe('joined');
      // Invitees read the meeting, not its room's door.
      const seen = (await (await call('GET', `/api/schedule/${m.id}`, bob)).json()) as object;
      expect(seen).not.toHaveProperty('room');

      // While someone is in the room: the password goes (null) and the waiting room is back.
      const back = await edit({ password: null, waitingRoom: true });
      expect(await back.json()).toMatchObject({
        sequence: 0,
        room: { waitingRoom: true, hasPassword: false },
      });
      expect(await join()).toBe('waiting');
    } finally {
      await Promise.all(guests.map((g) => g.close()));
    }
  });

  it('lets only signed-in users schedule', async () => {
    expect(await errorOf(await call('POST', '/api/schedule', undefined, WEEKLY))).toEqual({
      status: 401,
      code: ERROR_CODES.UNAUTHORIZED,
    });
    const cookie = await guestCookie(server.url);
    const asGuest = await fetch(`${server.url}/api/schedule`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(WEEKLY),
    });
    expect(asGuest.status).toBe(401);
    expect((await call('GET', '/api/schedule')).status).toBe(401);
    expect((await call('POST', '/api/calendar/feed')).status).toBe(401);
  });

  it('refuses bad input with a typed error and stores nothing', async () => {
    const ada = await signUp();
    const cases: [unknown, string][] = [
      [{ ...WEEKLY, timeZone: 'Mars/Olympus' }, SCHEDULE_ERROR_CODES.BAD_TIME_ZONE],
      [{ ...WEEKLY, start: '2027-02-30T09:00' }, SCHEDULE_ERROR_CODES.BAD_TIME],
      [{ ...WEEKLY, start: '2027-02-01T09:00' }, SCHEDULE_ERROR_CODES.BAD_TIME],
      [{ ...WEEKLY, start: '2031-02-01T09:00' }, SCHEDULE_ERROR_CODES.BAD_TIME],
      [{ ...WEEKLY, invitees: ['not an email'] }, SCHEDULE_ERROR_CODES.BAD_EMAIL],
      [
        { ...WEEKLY, recurrence: { freq: 'weekly', until: '2027-03-01' } },
        SCHEDULE_ERROR_CODES.BAD_RECURRENCE,
      ],
      [
        { ...WEEKLY, recurrence: { freq: 'weekly', until: '2030-01-01' } },
        SCHEDULE_ERROR_CODES.BAD_RECURRENCE,
      ],
      [
        { ...WEEKLY, invitees: Array.from({ length: 201 }, (_, i) => `i${i}@x.test`) },
        ERROR_CODES.BAD_MESSAGE,
      ],
      [{ ...WEEKLY, durationMin: 0 }, ERROR_CODES.BAD_MESSAGE],
      [{ ...WEEKLY, title: '' }, ERROR_CODES.BAD_MESSAGE],
      [{ ...WEEKLY, start: '22/03/2027 09:00' }, ERROR_CODES.BAD_MESSAGE],
      [{ ...WEEKLY, extra: true }, ERROR_CODES.BAD_MESSAGE],
    ];
    for (const [body, code] of cases) {
      expect(
        await errorOf(await call('POST', '/api/schedule', ada, body)),
        JSON.stringify(body),
      ).toEqual({ status: 400, code });
    }
    expect(await upcoming(ada)).toEqual([]);
    const until = await schedule(ada, {
      ...WEEKLY,
      recurrence: { freq: 'weekly', until: '2027-04-05' },
    });
    expect((await ics(ada, until.id)).events[0]?.starts).toHaveLength(3);
  });

  it('serves a private feed by its token alone, and a revoked token is gone', async () => {
    const ada = await signUp();
    const kept = await schedule(ada, WEEKLY);
    const dropped = await schedule(ada, { ...WEEKLY, title: 'Dropped' });
    expect((await call('DELETE', `/api/schedule/${dropped.id}`, ada)).status).toBe(204);
    const first = await call('POST', '/api/calendar/feed', ada);
    expect(first.status).toBe(201);
    const { url } = (await first.json()) as CalendarFeedResponse;
    expect(url).toMatch(/\/api\/calendar\/[A-Za-z0-9_-]{40,}\.ics$/);
    const feed = await fetch(url); // no login
    expect(feed.status).toBe(200);
    const cal = parseCalendar(await feed.text());
    expect(cal.method).toBe('PUBLISH');
    const byTitle = Object.fromEntries(cal.events.map((e) => [e.summary, e]));
    expect(byTitle['Weekly sync']).toMatchObject({ uid: expect.stringContaining(kept.id) });
    expect(byTitle['Weekly sync']?.starts[1]).toBe('2027-03-29T07:00:00.000Z');
    expect(byTitle.Dropped).toMatchObject({ status: 'CANCELLED', sequence: 1 });

    expect((await fetch(url.replace(/.(\.ics)$/, 'x$1'))).status).toBe(404);
    const second = (await (
      await call('POST', '/api/calendar/feed', ada)
    ).json()) as CalendarFeedResponse;
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(second.url)).status).toBe(200);
    expect((await call('DELETE', '/api/calendar/feed', ada)).status).toBe(204);
    expect((await fetch(second.url)).status).toBe(404);
  });

  it(`holds each user to ${SCHEDULE_LIMITS.MEETINGS_PER_USER} upcoming meetings`, async () => {
    const ada = await signUp();
    const one = { title: 'x', start: '2027-03-22T09:00', durationMin: 15, timeZone: 'UTC' };
    for (let i = 0; i < SCHEDULE_LIMITS.MEETINGS_PER_USER; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => schedule(ada, one)));
    }
    expect(await errorOf(await call('POST', '/api/schedule', ada, one))).toEqual({
      status: 409,
      code: ERROR_CODES.LIMIT_REACHED,
    });
  }, 60_000);
});
