// The process of one RoomBot (roomBot.ts): a load bot that joins on the parent's `join`,
// answers `report` with its snapshot and leaves on `leave` (then the process ends). Requests
// and replies travel over the IPC channel fork() opened; argv[2] is the bot's BotOptions
// without the clip (it sends ROOM_BOT_CLIP).

import { Bot } from '../../load/Bot.ts';
import type { BotOptions } from '../../load/Bot.ts';
import { loadClip } from '../../load/clip.ts';
import { RtpOut } from '../../load/peer.ts';
import { ROOM_BOT_CLIP } from './roomBot.ts';
import type { BotReply, BotRequest } from './roomBot.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('roomBotChild.ts runs as a forked process (roomBot.ts)');

/**
 * Keeps each video sender's VP8 picture ids contiguous. ClipSender numbers a frame by its slot
 * in the wall-clock schedule, so when the bot's event loop stalls past its 200 ms lag limit
 * (the bot setting up its SFU side on a loaded machine) the ids jump while the bitstream goes
 * on. Chromium then takes the next delta frames for ones whose references were lost, holds
 * them, and decodes nothing until it asks for a keyframe about 3 s later: a mesh tile frozen
 * by the rig, not by Parley. No-op once ClipSender numbers frames as sent (reported, #15).
 */
function contiguousPictureIds(): void {
  const send = Reflect.get(RtpOut.prototype, 'send') as RtpOut['send'];
  const ids = new WeakMap<RtpOut, Map<number, { from: number; to: number }>>();
  RtpOut.prototype.send = function (this: RtpOut, kind, payload, timestamp, marker, layer = 0) {
    // The descriptor vp8Payloads writes: X=1, I=1, a 15-bit picture id in bytes 2-3.
    if (kind !== 'video' || payload.length < 4 || (payload[2] ?? 0) < 0x80)
      return send.call(this, kind, payload, timestamp, marker, layer);
    const from = payload.readUInt16BE(2) & 0x7fff;
    const layers = ids.get(this) ?? new Map<number, { from: number; to: number }>();
    ids.set(this, layers);
    const seen = layers.get(layer);
    const to = seen === undefined ? from : seen.from === from ? seen.to : (seen.to + 1) & 0x7fff;
    layers.set(layer, { from, to });
    const out = Buffer.from(payload); // shared with the bot's other links
    out.writeUInt16BE(0x8000 | to, 2);
    return send.call(this, kind, out, timestamp, marker, layer);
  };
}
contiguousPictureIds();

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
