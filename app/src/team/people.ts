import type { Role } from '@parley/protocol';
import { tileMenu } from '../call/features/moderation/lobbyState.ts';

/** What an admin may do to someone in the People list. */
export interface PersonActions {
  remove: boolean;
  makeAdmin: boolean;
  removeAdmin: boolean;
}

const ANY_MEDIA = { audio: true, video: true };

/**
 * The buttons beside someone, as the server's rules allow them (its TARGETS table, which the
 * meeting's tile menu mirrors; reused here so the client keeps one copy): a host cannot be
 * removed and a co-host only by the host. Unlike a meeting's co-hosts, a team's admins make
 * and unmake admins too (moderation.ts `setRole`); the creator stays admin.
 */
export function personActions(self: Role | null, target: Role): PersonActions {
  const items = new Set(tileMenu(self, { role: target, media: ANY_MEDIA }).map((i) => i.action));
  const admin = self === 'host' || self === 'cohost';
  return {
    remove: items.has('remove'),
    makeAdmin: admin && target === 'guest',
    removeAdmin: admin && target === 'cohost',
  };
}

export function isAdminRole(role: Role): boolean {
  return role === 'host' || role === 'cohost';
}
