// The process of one RoomBot (roomBot.ts): a load bot that joins on the parent's `join`,
// answers `report` with its snapshot and leaves on `leave` (then the process ends). Requests
// and replies travel over the IPC channel fork() opened; argv[2] is the bot's BotOptions
// without the clip (it sends ROOM_BOT_CLIP).

import { Bot } from '../../load/Bot.ts';
import type { BotOptions } from '../../load/Bot.ts';
import { loadClip } from '../../load/clip.ts';
import { ROOM_BOT_CLIP } from './roomBot.ts';
import type { BotReply, BotRequest } from './roomBot.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('roomBotChild.ts runs as a forked process (roomBot.ts)');

const options = JSON.parse(process.argv[2] ?? '{}') as Omit<BotOptions, 'clip'>;
const bot = new Bot({ ...options, clip: loadClip(ROOM_BOT_CLIP) });

async function answer(req: BotRequest): Promise<unknown> {
  switch (req.op) {
    case 'join':
      await bot.join();
      return bot.report.peerId;
    case 'report':
      return bot.snapshot();
    case 'leave':
      return bot.close();
    default: {
      const never: never = req.op;
      throw new Error(`unknown request ${String(never)}`);
    }
  }
}

process.on('message', (req: BotRequest) => {
  answer(req).then(
    (value) =>
      // werift keeps sockets and timers open a little after close: the process is done.
      send({ id: req.id, ok: true, value } satisfies BotReply, undefined, {}, () => {
        if (req.op === 'leave') process.exit(0);
      }),
    (e: unknown) =>
      send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});

// The test is gone (killed, crashed): nothing will close this bot but its process ending.
process.on('disconnect', () => process.exit(1));

send({ id: 0, ok: true, value: 'ready' } satisfies BotReply);
