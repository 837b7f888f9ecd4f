// One bot process of a ProcessPool (pool.ts): runs `LocalBots` and answers the parent's
// requests over the IPC channel fork() opened. Started by the pool only.

import { LocalBots } from './botGroup.ts';
import type { BotGroup } from './botGroup.ts';
import type { PoolReply, PoolRequest } from './pool.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('tests/load/child.ts runs as a forked bot process (pool.ts)');

const bots = new LocalBots();

async function answer(req: PoolRequest, group: BotGroup): Promise<unknown> {
  switch (req.op) {
    case 'join':
      return group.join(req.spec);
    case 'published':
      return group.published();
    case 'flowing':
      return group.flowing();
    case 'snapshot':
      return group.snapshot();
    case 'cpu':
      return group.cpuSeconds();
    case 'drops':
      return group.udpDrops();
    case 'close':
      return group.close();
    default: {
      const never: never = req;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

function reply(message: PoolReply, then?: () => void): void {
  send?.(message, undefined, {}, () => then?.());
}

process.on('message', (raw: PoolRequest) => {
  answer(raw, bots).then(
    (value) =>
      // werift keeps sockets and timers open a little after close: the process is done.
      reply(
        { id: raw.id, ok: true, value },
        raw.op === 'close' ? () => process.exit(0) : undefined,
      ),
    (e: unknown) =>
      reply({ id: raw.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});

// The parent is gone (killed, crashed): nothing will close these bots but their process ending.
process.on('disconnect', () => process.exit(1));

reply({ id: 0, ok: true, value: 'ready' });
