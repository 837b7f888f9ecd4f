// A join storm: new clients arrive at a fixed rate (connect, hello, join a room of 4). The
// latency is from sending `join` to receiving `joined`, and from opening the socket to `joined`.

import { startServerProcess } from '../../lib/serverProcess.ts';
import { sleep, summarize, type Summary } from '../../lib/stats.ts';
import { LoadClient, createRooms } from '../../lib/wsClient.ts';

export interface StormResult {
  ratePerSecond: number;
  joins: number;
  failed: number;
  joinMs: Summary;
  connectToJoinedMs: Summary;
}

const ROOM_SIZE = 4;

export async function measureStorm(
  ratePerSecond: number,
  joins: number,
  log: (l: string) => void,
): Promise<StormResult> {
  const server = await startServerProcess();
  const clients: LoadClient[] = [];
  const joinMs: number[] = [];
  const totalMs: number[] = [];
  let failed = 0;
  try {
    const rooms = await createRooms(server.url, Math.ceil(joins / ROOM_SIZE));
    const arrivals: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < joins; i++) {
      // Open-loop arrivals: the schedule does not wait for slow joins (that would hide them).
      const due = start + (i * 1000) / ratePerSecond;
      await sleep(Math.max(0, due - performance.now()));
      arrivals.push(
        arrive(server.url, rooms[Math.floor(i / ROOM_SIZE)] as string, i).then(
          (r) => {
            clients.push(r.client);
            joinMs.push(r.joinMs);
            totalMs.push(r.totalMs);
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    await Promise.all(arrivals);
    log(`  ${joins} joins at ${ratePerSecond}/s, ${failed} failed`);
    return {
      ratePerSecond,
      joins,
      failed,
      joinMs: summarize(joinMs),
      connectToJoinedMs: summarize(totalMs),
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

async function arrive(url: string, roomId: string, i: number) {
  const t0 = performance.now();
  const client = await LoadClient.ready(url);
  const t1 = performance.now();
  await client.join(roomId, `storm-${i}`);
  const t2 = performance.now();
  return { client, joinMs: t2 - t1, totalMs: t2 - t0 };
}
