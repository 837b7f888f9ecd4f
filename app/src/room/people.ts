import type { MediaState, Role } from '@parley/protocol';

/** Someone in the people panel: ourselves first, then the others in join order. */
export interface Person {
  /** null for ourselves. */
  peerId: string | null;
  name: string;
  role: Role | null;
  media: MediaState;
  /** Place among the raised hands (1 = first), or null. */
  hand: number | null;
}

const ROLE_WORDS: Record<Role, string | null> = { host: 'Host', cohost: 'Co-host', guest: null };

/** "Host", "Co-host", or null for a guest. */
export function roleWord(role: Role | null): string | null {
  return role ? ROLE_WORDS[role] : null;
}

/**
 * What a screen reader hears after the name, and what the row shows in words: "Host,
 * microphone off, camera off, hand raised (2nd)". Nothing for an unmuted guest with a camera.
 */
export function personState(person: Person): string {
  const parts: string[] = [];
  const role = roleWord(person.role);
  if (role) parts.push(role);
  if (!person.media.audio) parts.push('microphone off');
  if (!person.media.video) parts.push('camera off');
  if (person.media.screen) parts.push('sharing the screen');
  if (person.hand !== null) parts.push(`hand raised (${ordinal(person.hand)})`);
  return parts.join(', ');
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th'}`;
}

export interface PresenceChange {
  name: string;
  change: 'joined' | 'left';
}

/**
 * One sentence for the joins and leaves gathered in a moment, so that a class arriving at
 * once is one announcement, not thirty: "Ada joined", "Ada and Bo joined", "Ada and 3 others
 * joined. Cy left".
 */
export function presenceSummary(changes: readonly PresenceChange[]): string {
  const sentence = (change: PresenceChange['change']) => {
    const names = changes.filter((c) => c.change === change).map((c) => c.name);
    const [first, second] = names;
    if (first === undefined) return null;
    if (names.length === 1) return `${first} ${change}`;
    if (names.length === 2) return `${first} and ${second} ${change}`;
    return `${first} and ${names.length - 1} others ${change}`;
  };
  return [sentence('joined'), sentence('left')].filter((s) => s !== null).join('. ');
}
