// Failover on the signaling path: two guests are in a room (joined through HAProxy); the node
// that holds it is SIGKILLed; each guest, seeing its socket close, reconnects through HAProxy
// with the app's backoff and joins again, as the app does. Measured from just before the kill
// to each guest's `joined` (and to the room being whole again: both guests joined, on one
// node, each seeing the other). The killed node is started again between rounds.
// Video is not part of this: the browser path (kill -> video decoding again) is the e2e
// test's (tests/e2e/cluster.test.ts).

import { round, sleep, summarize, type Summary } from '../../lib/stats.ts';
import { untilIdle } from '../../lib/proc.ts';
import type { LoadClient, Message } from '../../lib/wsClient.ts';
import { KEYS } from '../../../../signaling/src/cluster/keys.ts';
import { appRetryDelay, joinVia, newRoom, nodeById, ownerOf, until, type Rig } from './rig.ts';

export interface FailoverRound {
  killed: string;
  /** Where the room came back. */
  newOwner: string;
  /** Kill -> each guest's socket closed, ms (the later of the two). */
  detectMs: number;
  /** Kill -> each guest joined again, ms. */
  guestsMs: number[];
  /** Kill -> both joined on one node and each sees the other, ms. */
  wholeMs: number;
  /** Connection attempts per guest (1 = the first reconnect worked). */
  attempts: number[];
}

export interface FailoverResult {
  rounds: FailoverRound[];
  /** Over every guest of every round. */
  guestMs: Summary;
  wholeMs: Summary;
  detectMs: Summary;
  /** Rounds where the two guests ended up on different nodes (a split room): must be 0. */
  splitRooms: number;
}

interface Back {
  client: LoadClient;
  joined: Message;
  at: number;
  attempts: number;
}

/** Waits for the socket to close, then reconnects with the app's backoff until joined. */
async function comeBack(
  client: LoadClient,
  url: string,
  roomId: string,
  name: string,
  closedAt: (t: number) => void,
): Promise<Back> {
  await new Promise<void>((resolve) => {
    if (client.ws.readyState === client.ws.CLOSED) resolve();
    else client.ws.once('close', () => resolve());
  });
  closedAt(performance.now());
  for (let attempt = 0; attempt < 12; attempt++) {
    // The app waits before every reconnect, the first included (SignalingClient.onSocketClosed).
    await sleep(appRetryDelay(attempt));
    try {
      const { client: next, joined } = await joinVia(url, roomId, name, 5_000);
      return { client: next, joined, at: performance.now(), attempts: attempt + 1 };
    } catch {
      continue; // 502 while the dead owner's lease lasts, ROOM_MOVED, a refused connection
    }
  }
  throw new Error(`${name} could not rejoin ${roomId}`);
}

const peerIds = (m: Message): string[] =>
  Array.isArray(m.peers) ? m.peers.map((p) => String((p as { peerId?: unknown }).peerId)) : [];

async function killOnce(rig: Rig, log: (line: string) => void): Promise<FailoverRound> {
  const { cluster, admin } = rig;
  const roomId = await newRoom(cluster.url);
  const guests = [
    await joinVia(cluster.url, roomId, 'guest-a'),
    await joinVia(cluster.url, roomId, 'guest-b'),
  ];
  const owner = await ownerOf(admin, roomId);
  if (!owner) throw new Error(`room ${roomId} has no owner`);
  const victim = nodeById(cluster, owner);
  const closed: number[] = [];
  const t0 = performance.now();
  const back = Promise.all(
    guests.map((g, i) =>
      comeBack(g.client, cluster.url, roomId, `guest-${i}`, (t) => closed.push(t)),
    ),
  );
  await victim.kill('SIGKILL');
  const [a, b] = await back;
  if (!a || !b) throw new Error('a guest did not come back');
  try {
    const newOwner = (await ownerOf(admin, roomId)) ?? 'none';
    const [first, second] = a.at <= b.at ? [a, b] : [b, a];
    // The later joiner sees the earlier one in `joined`; the earlier one hears it arrive.
    const together = peerIds(second.joined).includes(String(first.joined.peerId));
    const result: FailoverRound = {
      killed: owner,
      newOwner: together ? newOwner : 'split',
      detectMs: round(Math.max(...closed) - t0),
      guestsMs: [a, b].map((x) => round(x.at - t0)),
      wholeMs: round(second.at - t0),
      attempts: [a.attempts, b.attempts],
    };
    log(
      `  killed ${owner}: back on ${result.newOwner} in ${result.guestsMs.join(' / ')} ms (attempts ${result.attempts.join(' / ')})`,
    );
    return result;
  } finally {
    await Promise.all([a.client.leave(), b.client.leave()]);
  }
}

/** `kills` rounds; the killed node is restarted before the next round (not after the last). */
export async function measureFailover(
  rig: Rig,
  kills: number,
  log: (line: string) => void,
): Promise<FailoverResult> {
  const rounds: FailoverRound[] = [];
  for (let i = 0; i < kills; i++) {
    const r = await killOnce(rig, log);
    rounds.push(r);
    if (i === kills - 1) break;
    const node = nodeById(rig.cluster, r.killed);
    await node.start();
    // Back in the registry and behind HAProxy (health check every 300 ms), then let its
    // start-up CPU settle so the next round does not measure it.
    await until(async () => (await rig.admin.zscore(KEYS.nodes, node.id)) !== null, 10_000);
    await untilIdle(0.6, 10_000);
  }
  const guestMs = rounds.flatMap((r) => r.guestsMs);
  return {
    rounds,
    guestMs: summarize(guestMs),
    wholeMs: summarize(rounds.map((r) => r.wholeMs)),
    detectMs: summarize(rounds.map((r) => r.detectMs)),
    splitRooms: rounds.filter((r) => r.newOwner === 'split').length,
  };
}
