// The child process of walkieListeners.ts: walkie-talkie listeners (werift team members,
// tests/integration/support/teamMember.ts, with the load bots' lean receive path) in a process
// of their own, so their SRTP work never runs on the server's event loop or worker.
// Protocol, JSON lines: argv[2] is the ListenersConfig; `{"cmd":"add","indexes":[...]}` joins
// those listeners and answers `{"event":"added","consumerIds":[...]}` once every receive
// transport is connected; `{"cmd":"counts"}` answers `{"event":"counts",...}`. stdin closing
// ends the process.

import { createInterface } from 'node:readline';
import type { ChannelId } from '@parley/protocol';
import { TeamMember } from '../../integration/support/teamMember.ts';
import { channelsOf, type ListenersConfig } from './walkieListeners.ts';

const say = (line: Record<string, unknown>): void =>
  void process.stdout.write(`${JSON.stringify(line)}\n`);

const config = JSON.parse(process.argv[2] ?? '{}') as ListenersConfig;
const members: { member: TeamMember; channels: ChannelId[] }[] = [];

async function add(indexes: number[]): Promise<void> {
  const consumerIds: string[] = [];
  for (const i of indexes) {
    const member = await TeamMember.join(config.url, config.teamId, `Listener ${i}`);
    const channels = channelsOf(i, config.channels) as ChannelId[];
    for (const c of channels) consumerIds.push((await member.listen(c)).consumerId);
    members.push({ member, channels });
  }
  await Promise.all(members.map((m) => m.member.receiving(30_000)));
  say({ event: 'added', consumerIds });
}

function counts(): void {
  let packets = 0;
  let lost = 0;
  let expected = 0;
  let silent = 0;
  for (const { member, channels } of members) {
    for (const c of channels) {
      const h = member.heard(c);
      packets += h.packets;
      lost += h.lost;
      expected += h.expected;
      if (h.packets === 0) silent += 1;
    }
  }
  say({ event: 'counts', packets, lost, expected, silent });
}

const input = createInterface({ input: process.stdin });
input.on('line', (text) => {
  const msg = JSON.parse(text) as { cmd?: string; indexes?: number[] };
  if (msg.cmd === 'add') {
    add(msg.indexes ?? []).catch((e: unknown) =>
      say({ event: 'failed', error: e instanceof Error ? e.message : String(e) }),
    );
  }
  if (msg.cmd === 'counts') counts();
});
input.on('close', () => {
  void Promise.all(members.map((m) => m.member.close())).finally(() => process.exit(0));
});
say({ event: 'started', pid: process.pid });
