// The child process of botRoom.ts: puts load bots (tests/load/Bot.ts) into a room and keeps
// them there until stdin closes. A process of their own, so their packetizing and SRTP (a few
// % of a core per publisher) never delays the server's event loop in the bench process.
// Protocol, JSON lines: argv[2] is the BotRoomConfig; stdout says `{"event":"ready"}` once
// every bot is in and publishing, then answers `{"cmd":"errors"}` with `{"event":"errors"}`.
// With `onCommand` it first says `{"event":"started"}` and joins on `{"cmd":"join"}`.

import { createInterface } from 'node:readline';
import { Bot } from '../../load/Bot.ts';
import { DEFAULT_CLIP, loadClip } from '../../load/clip.ts';
import type { BotRoomConfig } from './botRoom.ts';

const say = (line: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(line)}\n`);

const config = JSON.parse(process.argv[2] ?? '{}') as BotRoomConfig;
const clip = loadClip(DEFAULT_CLIP);
const bots: Bot[] = [];

/** Every bot's producers on the server: its clip sender exists, then its `sfu-produce`s. */
async function untilPublishing(deadline: number): Promise<void> {
  while (!bots.every((b) => b.snapshot().sent !== undefined)) {
    if (Date.now() > deadline) throw new Error('the bots did not start publishing in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  // `published` is the real promise once the sender exists (it is assigned before).
  await Promise.all(bots.map((b) => b.published));
}

async function joinAll(): Promise<void> {
  for (let i = 0; i < config.count; i++) {
    const bot = new Bot({
      url: config.url,
      roomId: config.roomId,
      name: `Bot ${i + 1}`,
      publish: i < (config.videoPublishers ?? config.count) ? ['audio', 'video'] : ['audio'],
      clip,
      subscribe: config.subscribe,
      ...(config.maxVideo !== undefined ? { maxVideo: config.maxVideo } : {}),
    });
    bots.push(bot);
    await bot.join();
  }
  if (config.sfu) await untilPublishing(Date.now() + 30_000);
  say({ event: 'ready', pid: process.pid });
}

const fail = (e: unknown): void => {
  say({ event: 'failed', error: e instanceof Error ? e.message : String(e) });
  void stop(1);
};

function main(): void {
  const input = createInterface({ input: process.stdin });
  input.on('line', (text) => {
    const cmd = (JSON.parse(text) as { cmd?: string }).cmd;
    if (cmd === 'join' && config.onCommand && bots.length === 0) joinAll().catch(fail);
    if (cmd === 'errors') say({ event: 'errors', errors: bots.flatMap((b) => b.report.errors) });
  });
  input.on('close', () => void stop(0));
  if (config.onCommand) say({ event: 'started', pid: process.pid });
  else joinAll().catch(fail);
}

async function stop(code: number): Promise<void> {
  await Promise.all(bots.map((b) => b.close()));
  process.exit(code);
}

main();
