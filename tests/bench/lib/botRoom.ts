// Load bots (tests/load/Bot.ts) as the other members of a room, in a child process of their
// own (botRoomChild.ts): a browser scenario then measures one Chromium page among them, and
// the bots' CPU stays off the bench process, where the server's signaling runs.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'botRoomChild.ts');

export interface BotRoomConfig {
  /** The server's base URL. */
  url: string;
  roomId: string;
  /** Publisher bots (audio and video: the load clip, 640x360 VP8 at ~500 kbit/s, and Opus). */
  count: number;
  /** The room is on the SFU once they are in: `ready` then waits for their producers. */
  sfu: boolean;
  /** Whether the bots consume each other (and later joiners). */
  subscribe: boolean;
  /** Video consumers per bot at most (a 3x3 grid shows 9). Default: all. */
  maxVideo?: number;
  /** How many of the bots (the first ones) send video; the others send audio only. Default: all. */
  videoPublishers?: number;
  /**
   * Start the process (Node, tsx, the clip: seconds of CPU) and wait: the bots join on
   * `BotRoom.join()`, so a measurement can start after the start-up and time the join alone.
   */
  onCommand?: boolean;
}

export interface BotRoom {
  /** The bots' process, for its CPU (proc.ts). */
  pid: number;
  /** With `onCommand`: the bots join now; resolves once they are in (and publishing). */
  join(): Promise<void>;
  /** What the bots reported as failures so far. */
  errors(): Promise<string[]>;
  /** Closes stdin: the bots leave and the process exits (SIGKILL after 10 s). */
  close(): Promise<void>;
}

type Line = { event: string } & Record<string, unknown>;

/**
 * Starts the bots and resolves once all of them are in the room (and publishing), or, with
 * `onCommand`, once their process is up and waiting for `join()`.
 */
export async function startBotRoom(config: BotRoomConfig, timeoutMs = 60_000): Promise<BotRoom> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: ((line: Line) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    waiting.shift()?.(JSON.parse(text) as Line);
  });
  const next = (what: string): Promise<Line> =>
    new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bots: no ${what} in time`)), timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        if (line.event === 'failed') reject(new Error(`bots failed: ${String(line.error)}`));
        else resolve(line);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error('the bots process exited'));
      });
    });
  const close = async (): Promise<void> => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const first = await next(config.onCommand ? 'started' : 'ready');
    let joined = !config.onCommand;
    return {
      pid: Number(first.pid),
      async join() {
        if (joined) return;
        joined = true;
        const ready = next('ready');
        child.stdin.write('{"cmd":"join"}\n');
        await ready;
      },
      async errors() {
        const answer = next('errors');
        child.stdin.write('{"cmd":"errors"}\n');
        return (await answer).errors as string[];
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
