import { describe, expect, it } from 'vitest';
import type { Role } from '@parley/protocol';
import { personActions } from './people.ts';

// The server's TARGETS.remove (signaling/src/rooms/permissions.ts): host -> cohost, guest;
// cohost -> guest; guest -> nobody. In a team every admin makes and unmakes admins
// (moderation.ts setRole); the host stays host.
describe('personActions', () => {
  it.each<[Role | null, Role, string]>([
    ['host', 'host', ''],
    ['host', 'cohost', 'remove removeAdmin'],
    ['host', 'guest', 'remove makeAdmin'],
    ['cohost', 'host', ''],
    ['cohost', 'cohost', 'removeAdmin'],
    ['cohost', 'guest', 'remove makeAdmin'],
    ['guest', 'guest', ''],
    ['guest', 'host', ''],
    [null, 'guest', ''],
  ])('a %s acting on a %s may: %s', (self, target, allowed) => {
    const actions = personActions(self, target);
    const names = Object.entries(actions)
      .filter(([, on]) => on)
      .map(([name]) => name);
    expect(names.join(' ')).toBe(allowed);
  });
});
