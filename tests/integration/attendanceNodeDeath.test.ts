// Issue 21 with several nodes: attendance is written to PostgreSQL by the node that serves the
// room, so a node killed with SIGKILL (no shutdown handler runs) loses none of it. The stays it
// left open are closed at the meeting's last pulse when another node takes the room over, and
// the meeting goes on there as the same meeting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type {
  MeetingReport,
  MeetingSummary,
  RoomStatus,
  ServerMessage,
  ServerMessageOf,
} from '@parley/protocol';
import { startPostgres, startRedis } from '../../deploy/local/index.ts';
import type { LocalPostgres, LocalRedis } from '../../deploy/local/index.ts';
import { TestClient, eventually } from './support/client.ts';
import { guestCookie } from './support/guests.ts';
import { startParleyProcess } from './support/parleyProcess.ts';
import type { ParleyProcess } from './support/parleyProcess.ts';

let pg: LocalPostgres;
let redis: LocalRedis;
const nodes: ParleyProcess[] = [];
const dirs: string[] = [];
const clients: TestClient[] = [];

async function startNode(id: string): Promise<ParleyProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), `parley-attend-${id}-`));
  dirs.push(dir);
  const node = await startParleyProcess(dir, {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    NODE_ID: id,
    JWT_SECRET: 'a-shared-secret-of-at-least-32-characters',
    RESUME_WINDOW_S: '0',
    WS_MAX_PER_ADDRESS: '1000',
    ROOM_CREATIONS_PER_HOUR: '1000',
  });
  nodes.push(node);
  return node;
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(nodes.map((n) => n.kill()));
  await Promise.all([pg?.cleanup(), redis?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Seat = { peerId: string; resumeToken: string };

/** Joins through `node` as the browser holding `cookie` (with a seat: takes it back). */
async function join(
  node: ParleyProcess,
  roomId: string,
  name: string,
  cookie: string,
  extra: { hostKey?: string; seat?: Seat } = {},
): Promise<{ client: TestClient; reply: ServerMessage }> {
  const client = await TestClient.connect(node.url, { headers: { cookie } }, `/ws?room=${roomId}`);
  clients.push(client);
  await client.request({ type: 'hello', version: PROTOCOL_VERSION });
  const media = { audio: true, video: false };
  const reply = await client.request({ type: 'join', roomId, name, media, ...extra });
  return { client, reply };
}

/** Joins, retrying while the room is between nodes (ROOM_MOVED, a closed socket). */
async function joined(...args: Parameters<typeof join>) {
  let out: Awaited<ReturnType<typeof join>> | undefined;
  await eventually(async () => {
    out = await join(...args).catch(() => undefined);
    if (out && out.reply.type !== 'joined') await out.client.close();
    return out?.reply.type === 'joined';
  }, 30_000);
  const { client, reply } = out!;
  if (reply.type !== 'joined') throw new Error('not joined');
  return { client, reply: reply as ServerMessageOf<'joined'> };
}

const hostGet = async <T>(node: ParleyProcess, p: string, hostKey: string): Promise<T> => {
  const res = await fetch(`${node.url}${p}`, { headers: { 'x-host-key': hostKey } });
  if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
  return (await res.json()) as T;
};

describe('attendance when a node dies (issue 21)', () => {
  it('keeps every stay, closes the dead node’s at its last pulse, and goes on elsewhere', async () => {
    const [a, b] = [await startNode('att-a'), await startNode('att-b')];
    const created = await fetch(`${a.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    const { id, hostKey } = (await created.json()) as { id: string; hostKey: string };
    const [annCookie, bobCookie] = await Promise.all([guestCookie(a.url), guestCookie(a.url)]);

    const before = Date.now();
    await joined(a, id, 'Ann', annCookie, { hostKey });
    const bob = await joined(a, id, 'Bob', bobCookie);
    const status = (await (await fetch(`${a.url}/api/rooms/${id}`)).json()) as RoomStatus;
    const [owner, survivor] = status.node === 'att-a' ? [a, b] : [b, a];
    expect(status.node).toMatch(/^att-[ab]$/);

    // Both stays are in the database before anything goes wrong.
    let meetingId = '';
    await eventually(async () => {
      const { meetings } = await hostGet<{ meetings: MeetingSummary[] }>(
        survivor,
        `/api/rooms/${id}/meetings`,
        hostKey,
      );
      meetingId = meetings[0]?.id ?? '';
      return meetings[0]?.attendees === 2;
    });

    const killedAt = Date.now();
    await owner.kill();
    // Bob's app takes his seat back through the surviving node; Ann never comes back.
    const seat = { peerId: bob.reply.peerId, resumeToken: bob.reply.resumeToken };
    const back = await joined(survivor, id, 'Bob', bobCookie, { seat });
    expect(back.reply).toMatchObject({ peerId: seat.peerId });
    expect(back.reply.feedback?.meetingId).toBe(meetingId);
    expect(await back.client.request({ type: 'leave' })).toMatchObject({ type: 'left' });
    const leftAt = Date.now();

    // Bob was the last one in: the meeting ended, on the surviving node, as the same meeting.
    let report: MeetingReport | undefined;
    await eventually(async () => {
      report = await hostGet<MeetingReport>(
        survivor,
        `/api/rooms/${id}/meetings/${meetingId}`,
        hostKey,
      );
      return report.meeting.endedAt !== null;
    });
    const { meeting, attendees } = report!;
    expect(meeting.attendees).toBe(2);
    expect(meeting.endedAt).toBeGreaterThanOrEqual(killedAt);
    expect(meeting.endedAt).toBeLessThanOrEqual(leftAt);
    const ann = attendees.find((x) => x.name === 'Ann')!;
    const bobRow = attendees.find((x) => x.name === 'Bob')!;
    // Ann's stay ended at the dead node's last pulse: after she joined, not after the kill.
    expect(ann.firstJoinedAt).toBeGreaterThanOrEqual(before);
    expect(ann.lastLeftAt).not.toBeNull();
    expect(ann.lastLeftAt!).toBeGreaterThanOrEqual(ann.firstJoinedAt);
    expect(ann.lastLeftAt!).toBeLessThanOrEqual(killedAt);
    expect(ann.stays).toBe(1);
    // Bob: until that pulse on the dead node, then from his seat's return until he left.
    expect(bobRow.stays).toBe(2);
    expect(bobRow.lastLeftAt!).toBeGreaterThanOrEqual(killedAt);
    expect(bobRow.lastLeftAt!).toBeLessThanOrEqual(leftAt);
    expect(bobRow.durationMs).toBeLessThanOrEqual(leftAt - bobRow.firstJoinedAt);
  }, 120_000);
});
