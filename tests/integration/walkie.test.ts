// Walkie-talkie teams (issue #16) end to end: the real server, a real mediasoup worker, and
// members that are real WebRTC clients over loopback (werift: ICE, DTLS, SRTP). Each member
// sends an Opus microphone all the time; what reaches a listener is counted per channel
// consumer from RTP headers. The cases run in order on one team (A admin, B and C guests),
// each on the state the one before left; a failure names its step.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { ChannelId, CreateTeamResponse, ServerMessage } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { TeamMember } from './support/teamMember.ts';

/** Packets a listener must have had before "the others got nothing" means anything. */
const ENOUGH = 50;
/** How long a counter must stay flat to count as stopped (in-flight packets come before). */
const FLAT_MS = 1000;
/** Longer than any case waits: a dropped socket must end its floor well before this. */
const RESUME_WINDOW_MS = 30_000;

const SFU = {
  workers: 1,
  listenIp: '127.0.0.1',
  announcedIp: undefined,
  webRtcPortBase: 0,
  rtcMinPort: 46100,
  rtcMaxPort: 46199,
};

let server: TestServer;
const members: TeamMember[] = [];
const others: TestClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ sfu: SFU, resumeWindowMs: RESUME_WINDOW_MS });
}, 20_000);
afterAll(async () => {
  await Promise.all(members.map((m) => m.close()));
  await Promise.all(others.map((c) => (c.ws.readyState <= 1 ? c.close() : undefined)));
  await server?.dispose();
});

async function createTeam(
  s: TestServer,
  body: Record<string, unknown>,
): Promise<CreateTeamResponse> {
  const res = await fetch(`${s.url}/api/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, 'POST /api/teams').toBe(201);
  return (await res.json()) as CreateTeamResponse;
}

async function join(teamId: string, name: string, hostKey?: string): Promise<TeamMember> {
  const member = await TeamMember.join(server.url, teamId, name, hostKey);
  members.push(member);
  return member;
}

/** Resolves once `value()` has not changed for FLAT_MS; returns that value. */
async function flat(value: () => number, timeoutMs = 6000): Promise<number> {
  let last = value();
  let since = Date.now();
  await eventually(() => {
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    return Date.now() - since >= FLAT_MS;
  }, timeoutMs);
  return last;
}

const isError = (code: string) => (m: ServerMessage) => m.type === 'error' && m.code === code;
const floorState = (channelId: ChannelId, talker: string | null) => (m: ServerMessage) =>
  m.type === 'floor-state' &&
  m.channelId === channelId &&
  (talker === null ? m.talker === null : m.talker?.peerId === talker);

describe('walkie-talkie teams over real WebRTC', () => {
  let team: CreateTeamResponse;
  let a: TeamMember;
  let b: TeamMember;
  let c: TeamMember;
  let general: ChannelId;
  let ops: ChannelId;
  /** Round trips of floor requests answered, ms (client side, loopback). */
  const decisions: number[] = [];

  it('(a) an admin creates a team, joins with its host key and adds "Ops" for everyone', async () => {
    team = await createTeam(server, { name: 'Night crew' });
    const page = await fetch(`${server.url}/api/teams/${team.id}`);
    expect(await page.json()).toEqual({ id: team.id, name: 'Night crew' });

    a = await join(team.id, 'A', team.hostKey);
    b = await join(team.id, 'B');
    c = await join(team.id, 'C');
    expect(a.joined.role).toBe('host');
    expect(b.joined.role).toBe('guest');
    expect(a.joined.mode).toBe('sfu');
    expect(a.joined.team?.channels.map((ch) => ch.name)).toEqual(['General']);
    // A team lists no producers: members hear channels, not each other.
    expect(c.joined.sfu?.producers).toEqual([]);
    general = a.joined.team!.channels[0]!.id;

    expect(await a.request({ type: 'channel-add', name: 'Ops' })).toMatchObject({ type: 'ok' });
    for (const m of [a, b, c]) {
      const list = await m.next((x) => x.type === 'team-channels');
      expect(list.type === 'team-channels' && list.channels.map((ch) => ch.name)).toEqual([
        'General',
        'Ops',
      ]);
      if (list.type === 'team-channels') ops = list.channels[1]!.id;
    }

    await Promise.all([a.openMic(), b.openMic(), c.openMic()]);
    await a.listen(general);
    await b.listen(general);
    await b.listen(ops);
    await c.listen(ops);
    // Every receive transport is up, so that "nothing came" below means nothing was sent.
    await Promise.all([a, b, c].map((m) => m.receiving()));
  }, 30_000);

  it('(b) A talks on General: B hears it on General, nobody hears a byte on Ops', async () => {
    const marks = [b.mark(), c.mark()];
    const started = performance.now();
    const reply = await a.request({ type: 'floor-request', channelId: general });
    decisions.push(performance.now() - started);
    expect(reply).toMatchObject({ type: 'floor', channelId: general, state: 'granted' });
    if (reply.type === 'floor') expect(reply.until).toBeGreaterThan(Date.now() + 50_000);
    await b.since(marks[0]!, floorState(general, a.peerId));
    await c.since(marks[1]!, floorState(general, a.peerId));

    await eventually(() => b.heard(general).packets > ENOUGH, 10_000);
    expect(b.heard(ops).bytes, "B's Ops consumer").toBe(0);
    expect(c.heard(ops).bytes, "C's Ops consumer").toBe(0);
    // B and C send all along; the server holds their microphones.
    expect(b.sentPackets).toBeGreaterThan(ENOUGH);
  }, 20_000);

  it('(c) A releases: what B hears on General stops', async () => {
    const mark = b.mark();
    expect(await a.request({ type: 'floor-release', channelId: general })).toMatchObject({
      type: 'ok',
    });
    await b.since(mark, floorState(general, null));
    const before = b.heard(general).packets;
    const stopped = await flat(() => b.heard(general).packets);
    // A tail of packets already on their way, no more (50 a second would be far past this).
    expect(stopped - before).toBeLessThan(15);
    expect(a.sentPackets).toBeGreaterThan(stopped);
    expect(c.heard(ops).bytes).toBe(0);
  }, 15_000);

  let winner: TeamMember;
  let loser: TeamMember;

  it('(d) B and C press on Ops at once: one is granted, the other is busy', async () => {
    const mark = a.mark();
    const started = performance.now();
    const [rb, rc] = await Promise.all([
      b.request({ type: 'floor-request', channelId: ops }),
      c.request({ type: 'floor-request', channelId: ops }),
    ]);
    decisions.push(performance.now() - started);
    const granted = [rb, rc].filter((r) => r.type === 'floor' && r.state === 'granted');
    const busy = [rb, rc].filter(isError(ERROR_CODES.FLOOR_BUSY));
    expect(granted, JSON.stringify([rb, rc])).toHaveLength(1);
    expect(busy, JSON.stringify([rb, rc])).toHaveLength(1);
    [winner, loser] = granted[0] === rb ? [b, c] : [c, b];
    await a.since(mark, floorState(ops, winner.peerId));

    const generalBefore = a.heard(general).packets;
    const opsBefore = loser.heard(ops).packets;
    await eventually(() => loser.heard(ops).packets > opsBefore + ENOUGH, 10_000);
    // General's listeners hear nothing of it.
    expect(a.heard(general).packets).toBe(generalBefore);
  }, 20_000);

  it("(e) an admin's revoke ends the floor, and the talker's audio stops though it sends on", async () => {
    const marks = [winner.mark(), loser.mark()] as const;
    expect(await a.request({ type: 'floor-revoke', peerId: winner.peerId })).toMatchObject({
      type: 'ok',
    });
    const ended = await winner.since(marks[0], (m) => m.type === 'floor-ended');
    expect(ended).toMatchObject({ channelId: ops, reason: 'revoked', by: a.peerId });
    await loser.since(marks[1], floorState(ops, null));
    const sent = winner.sentPackets;
    await flat(() => loser.heard(ops).packets);
    expect(winner.sentPackets, 'the talker kept sending').toBeGreaterThan(sent + 25);
  }, 15_000);

  it('(h) refuses what it must with typed errors', async () => {
    const unknown = await b.request({ type: 'floor-request', channelId: 'no-such-channel' });
    expect(unknown).toMatchObject({ type: 'error', code: ERROR_CODES.CHANNEL_NOT_FOUND });

    expect(await b.request({ type: 'floor-request', channelId: general })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    const second = await b.request({ type: 'floor-request', channelId: ops });
    expect(second).toMatchObject({ type: 'error', code: ERROR_CODES.ALREADY_TALKING });
    await b.request({ type: 'floor-release', channelId: general });

    for (const name of ['ops', ' OPS ', 'gEnErAl']) {
      const dup = await a.request({ type: 'channel-add', name });
      expect(dup, name).toMatchObject({ type: 'error', code: ERROR_CODES.CHANNEL_NAME_TAKEN });
    }
    const renamed = await a.request({ type: 'channel-rename', channelId: ops, name: 'general' });
    expect(renamed).toMatchObject({ type: 'error', code: ERROR_CODES.CHANNEL_NAME_TAKEN });
    const twice = await c.request({
      type: 'channel-listen',
      channelId: ops,
      rtpCapabilities: {},
    });
    expect(twice).toMatchObject({ type: 'error', code: ERROR_CODES.SFU_REJECTED });
    const notHeld = await c.request({ type: 'floor-release', channelId: ops });
    expect(notHeld).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_TALKING });
    const nobody = await a.request({ type: 'floor-revoke', peerId: c.peerId });
    expect(nobody).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_TALKING });
    const guestRevoke = await b.request({ type: 'floor-revoke', peerId: c.peerId });
    expect(guestRevoke).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    const guest = await b.request({ type: 'channel-add', name: 'Mine' });
    expect(guest).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });
    const consume = await c.request({
      type: 'sfu-consume',
      producerId: 'anything',
      rtpCapabilities: {},
    });
    expect(consume).toMatchObject({ type: 'error', code: ERROR_CODES.FORBIDDEN });

    const room = await server.createRoom();
    const plain = await TestClient.ready(server.url);
    others.push(plain);
    await plain.join(room.id, 'Plain', room.hostKey);
    for (const message of [
      { type: 'floor-request', channelId: general },
      { type: 'channel-add', name: 'Ops' },
      { type: 'channel-listen', channelId: general, rtpCapabilities: {} },
    ]) {
      const reply = await plain.request(message);
      expect(reply, message.type).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_A_TEAM });
    }
  }, 15_000);

  it("(i) removing a channel closes its listeners' consumers and ends its talker's floor", async () => {
    expect(await b.request({ type: 'floor-request', channelId: ops })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    await eventually(() => c.heard(ops).packets > 0, 5000);
    const consumers = [b.consumerOf(ops), c.consumerOf(ops)];
    const marks = new Map([a, b, c].map((m) => [m, m.mark()]));
    expect(await a.request({ type: 'channel-remove', channelId: ops })).toMatchObject({
      type: 'ok',
    });
    expect(await b.since(marks.get(b)!, (m) => m.type === 'floor-ended')).toMatchObject({
      channelId: ops,
      reason: 'channel-removed',
    });
    for (const [m, id] of [
      [b, consumers[0]],
      [c, consumers[1]],
    ] as const) {
      await m.since(marks.get(m)!, (x) => x.type === 'sfu-consumer-closed' && x.consumerId === id);
      await m.since(marks.get(m)!, (x) => x.type === 'team-channels' && x.channels.length === 1);
    }
    await a.since(marks.get(a)!, (x) => x.type === 'team-channels' && x.channels.length === 1);
    const gone = await b.request({ type: 'floor-request', channelId: ops });
    expect(gone).toMatchObject({ type: 'error', code: ERROR_CODES.CHANNEL_NOT_FOUND });
  }, 15_000);

  it("(g) a talker's socket dropping ends its floor at once, not after the resume window", async () => {
    expect(await c.request({ type: 'floor-request', channelId: general })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    const before = b.heard(general).packets;
    await eventually(() => b.heard(general).packets > before + 10, 5000);
    const mark = a.mark();
    const dropped = performance.now();
    c.dropSocket();
    await a.since(mark, floorState(general, null), 5000);
    const ms = performance.now() - dropped;
    expect(ms).toBeLessThan(RESUME_WINDOW_MS / 10);
    // Its media keeps coming to the server (its peer connection lives on), but reaches nobody.
    const sent = c.sentPackets;
    await flat(() => b.heard(general).packets);
    expect(c.sentPackets).toBeGreaterThan(sent + 25);
    console.log(
      `walkie: floor requests answered in ${decisions.map((d) => d.toFixed(1)).join(', ')} ms ` +
        `(round trip); floor ended ${ms.toFixed(0)} ms after the talker's socket dropped`,
    );
  }, 15_000);

  it("(f) a floor ends by itself after the team's maximum talk time", async () => {
    const short = await createTeam(server, { name: 'Short', maxTalkSeconds: 1 });
    const admin = await join(short.id, 'Admin', short.hostKey);
    const guest = await join(short.id, 'Guest');
    const channelId = admin.joined.team!.channels[0]!.id;
    expect(admin.joined.team?.settings.maxTalkSeconds).toBe(1);
    const started = Date.now();
    const reply = await guest.request({ type: 'floor-request', channelId });
    expect(reply).toMatchObject({ type: 'floor', state: 'granted' });
    if (reply.type === 'floor') expect(reply.until).toBeLessThanOrEqual(started + 1500);
    await admin.next(floorState(channelId, guest.peerId));
    expect(await guest.next((m) => m.type === 'floor-ended', 4000)).toMatchObject({
      channelId,
      reason: 'expired',
    });
    await admin.next(floorState(channelId, null), 1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  }, 15_000);
});

describe('a team that queues', () => {
  it('(k) lines a busy request up, hands the floor on at release, and lets an admin pre-empt', async () => {
    const t = await createTeam(server, { name: 'Queue', queue: true });
    const admin = await join(t.id, 'Admin', t.hostKey);
    const p = await join(t.id, 'P');
    const q = await join(t.id, 'Q');
    const channelId = admin.joined.team!.channels[0]!.id;
    expect(await p.request({ type: 'floor-request', channelId })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    expect(await q.request({ type: 'floor-request', channelId })).toMatchObject({
      type: 'floor',
      state: 'queued',
      position: 1,
    });
    const mark = q.mark();
    await p.request({ type: 'floor-release', channelId });
    expect(await q.since(mark, (m) => m.type === 'floor')).toMatchObject({
      channelId,
      state: 'granted',
    });
    await admin.since(0, floorState(channelId, q.peerId));

    const marks = [q.mark(), p.mark()] as const;
    expect(await admin.request({ type: 'floor-request', channelId })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    expect(await q.since(marks[0], (m) => m.type === 'floor-ended')).toMatchObject({
      channelId,
      reason: 'preempted',
      by: admin.peerId,
    });
    await p.since(marks[1], floorState(channelId, admin.peerId));
  }, 15_000);
});

describe('a team whose SFU side was rebuilt', () => {
  it('(l) adds, hears and removes channels on the new router', async () => {
    // With someone waiting for approval, the room outlives its last member; its SFU side
    // (and the channel bus with it) is released, and the next admission builds a new one.
    const t = await createTeam(server, { name: 'Approval', requireApproval: true });
    const first = await join(t.id, 'Admin', t.hostKey);
    const general = first.joined.team!.channels[0]!.id;
    await first.listen(general);
    const waiting = await TestClient.ready(server.url);
    others.push(waiting);
    const held = await waiting.request({
      type: 'join',
      roomId: t.id,
      name: 'Newcomer',
      media: { audio: true, video: false },
    });
    expect(held.type).toBe('waiting');
    await first.request({ type: 'leave' });

    const admin = await join(t.id, 'Admin again', t.hostKey);
    const mark = admin.mark();
    expect(await admin.request({ type: 'channel-add', name: 'Ops' })).toMatchObject({ type: 'ok' });
    const list = await admin.since(mark, (m) => m.type === 'team-channels');
    const ops = list.type === 'team-channels' ? list.channels[1]!.id : '';
    await admin.listen(ops);
    expect(await admin.request({ type: 'channel-remove', channelId: ops })).toMatchObject({
      type: 'ok',
    });
    expect(await admin.request({ type: 'channel-unlisten', channelId: general })).toMatchObject({
      type: 'ok',
    });
  }, 15_000);
});

describe('a talker whose audio stops reaching the server', () => {
  it('(m) loses its floor within seconds, though its socket is up', async () => {
    const t = await createTeam(server, { name: 'Lost path' });
    const admin = await join(t.id, 'Admin', t.hostKey);
    const talker = await join(t.id, 'Talker');
    const channelId = admin.joined.team!.channels[0]!.id;
    await talker.openMic();
    await admin.listen(channelId);
    await admin.receiving();
    const mark = admin.mark();
    expect(await talker.request({ type: 'floor-request', channelId })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    await eventually(() => admin.heard(channelId).packets > 25, 5000);
    const stopped = performance.now();
    talker.stopMic();
    await admin.since(mark, floorState(channelId, null), 8000);
    const ms = performance.now() - stopped;
    expect(ms).toBeGreaterThan(2000); // not before the talker had a chance to go on
    // The socket is up: the member may press again (and would talk once its audio is back).
    expect(await talker.request({ type: 'floor-request', channelId })).toMatchObject({
      type: 'floor',
      state: 'granted',
    });
    console.log(`walkie: floor ended ${ms.toFixed(0)} ms after the talker's audio stopped`);
  }, 20_000);
});

describe('a team after a server restart', () => {
  it('(j) keeps the channels added', async () => {
    const first = await startTestServer();
    const t = await createTeam(first, { name: 'Persistent' });
    const admin = await TestClient.ready(first.url);
    const joined = await admin.join(t.id, 'Admin', t.hostKey);
    expect(joined.team?.channels.map((ch) => ch.name)).toEqual(['General']);
    expect(await admin.request({ type: 'channel-add', name: 'Loading dock' })).toMatchObject({
      type: 'ok',
    });
    expect(await admin.request({ type: 'channel-add', name: 'Ops' })).toMatchObject({
      type: 'ok',
    });
    const before = (await admin.next((m) => m.type === 'team-channels' && m.channels.length === 3))
      .type;
    expect(before).toBe('team-channels');
    await first.close();
    await admin.closed;

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const again = await TestClient.ready(second.url);
      const rejoined = await again.join(t.id, 'Admin', t.hostKey);
      expect(rejoined.team?.channels.map((ch) => ch.name)).toEqual([
        'General',
        'Loading dock',
        'Ops',
      ]);
      expect(rejoined.team?.name).toBe('Persistent');
      await again.close();
    } finally {
      await second.dispose();
    }
  }, 20_000);
});
