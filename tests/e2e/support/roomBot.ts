// A load bot (tests/load/Bot.ts) as one participant of an end-to-end room, in a Node process of
// its own (roomBotChild.ts). The server's signaling runs in the test's process: a bot there
// shares its event loop, and a bot sharing a process with another stalls its own sending while
// the other sets up its SFU side (tests/bench/scenarios/switchBots.ts). The process starts
// (Node, tsx, werift: seconds of CPU) on `startRoomBot`, and the bot joins on `join()`, so a
// test starts its bots before it measures anything.

import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BotReport } from '../../load/Bot.ts';
import type { Via } from '../../load/botSwitch.ts';
import { loadClip } from '../../load/clip.ts';
import type { ClipSpec } from '../../load/clip.ts';
import { waitFor } from './wait.ts';

/**
 * What a room bot sends: the picture the e2e pages' own camera sends (320x180 at 15 fps, the
 * `small` capture of support/browser.ts), so the page decodes each bot as it decoded another
 * page; the load clip's 640x360 at 30 fps would cost the one page several times the decoding.
 */
export const ROOM_BOT_CLIP: ClipSpec = {
  width: 320,
  height: 180,
  fps: 15,
  videoKbps: 200,
  audioKbps: 32,
  seconds: 10,
};

/** A request to a bot's process; `id` pairs it with its reply. */
export interface BotRequest {
  id: number;
  op: 'join' | 'report' | 'leave';
}
/** The process's reply; id 0 says it started. */
export type BotReply = { id: number } & (
  { ok: true; value: unknown } | { ok: false; error: string }
);

const CHILD = fileURLToPath(new URL('./roomBotChild.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * A bot stands for another person's machine: its sending must not queue behind whatever else
 * loads this one (the busy core the issue asks for, other suites), or the page would measure
 * the rig instead of Parley. The page, the server and mediasoup keep the default priority and
 * take the load. Needs the right to raise priority (root or CAP_SYS_NICE); without it the
 * bots run at the default, which the log says.
 */
const BOT_NICE = -10;

function raisePriority(pid: number | undefined, name: string): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, BOT_NICE);
  } catch (e) {
    console.warn(
      `bot ${name} runs at the default priority: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export interface RoomBot {
  readonly name: string;
  /** Joins, sending audio and video (ROOM_BOT_CLIP); resolves with the bot's peer id. */
  join(): Promise<string>;
  /** What the bot has received and sent so far. */
  report(): Promise<BotReport>;
  /** Leaves the room; the process ends (killed if it does not within 10 s). Idempotent. */
  leave(): Promise<void>;
}

/** Starts the bot's process and waits until it is up; the bot joins on `join()`. */
export async function startRoomBot(url: string, roomId: string, name: string): Promise<RoomBot> {
  // Encoded once here (FFmpeg, cached), not by every bot process racing for the same file.
  loadClip(ROOM_BOT_CLIP);
  const options = { url, roomId, name, publish: ['audio', 'video'] };
  const child = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ['--import', TSX],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  raisePriority(child.pid, name);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let ended: Error | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended ??= new Error(`bot ${name}: its process exited (${signal ?? `code ${code}`})`);
      for (const w of pending.values()) w.reject(ended);
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (m: BotReply) => {
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) waiter?.resolve(m.value);
    else waiter?.reject(new Error(`bot ${name}: ${m.error}`));
  });
  let nextId = 1;
  const call = <T>(op: BotRequest['op']): Promise<T> => {
    if (ended) return Promise.reject(ended);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op } satisfies BotRequest);
    });
  };
  await new Promise<unknown>((resolve, reject) => pending.set(0, { resolve, reject }));
  let left: Promise<void> | undefined;
  return {
    name,
    async join() {
      const id = await call<string | undefined>('join');
      if (!id) throw new Error(`bot ${name} joined without a peer id`);
      return id;
    },
    report: () => call<BotReport>('report'),
    leave() {
      left ??= (async () => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await call('leave').catch(() => undefined);
        await exited;
        clearTimeout(timer);
      })();
      return left;
    },
  };
}

/**
 * The bot receives `from`'s video through `via`, a keyframe included, and it keeps coming:
 * the packet count of those tracks grows between two looks. On a timeout it prints what the
 * bot receives.
 */
export async function expectBotReceives(bot: RoomBot, from: string, via: Via): Promise<void> {
  const packets = (r: BotReport) => {
    const video = r.consumers.filter(
      (c) => c.producerPeerId === from && c.kind === 'video' && (c.via ?? 'sfu') === via,
    );
    const sum = video.reduce((n, c) => n + c.counts.packets, 0);
    return video.some((c) => c.counts.keyframes > 0) && sum;
  };
  try {
    const first = await waitFor(`${bot.name} to receive ${from}'s video via ${via}`, async () =>
      packets(await bot.report()),
    );
    await waitFor(`${from}'s video via ${via} to keep reaching ${bot.name}`, async () => {
      const now = packets(await bot.report());
      return now !== false && now > first;
    });
  } catch (error) {
    const r = await bot.report();
    const seen = r.consumers.map((c) => ({ from: c.producerPeerId, kind: c.kind, via: c.via ?? 'sfu', ...c.counts })); // prettier-ignore
    console.error(`${bot.name} (${r.peerId}) receives:`, JSON.stringify(seen), r.errors);
    throw error;
  }
}
