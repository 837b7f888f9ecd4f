import { ERROR_CODES } from '@parley/protocol';
import type { MediaState, Role } from '@parley/protocol';

/** Why we are out of the meeting (the server's `removed`), and whether we ended it ourselves. */
export interface Removal {
  reason: 'denied' | 'removed' | 'ended' | 'replaced';
  /** We are the host who ended the meeting for everyone. */
  byYou: boolean;
}

/** A refused `join`, as the pre-join screen shows it. */
export interface Refusal {
  message: string;
  /** Show the room password field (the refusal may mean a missing or wrong password). */
  askPassword: boolean;
}

export const WRONG_PASSWORD_OR_NO_ROOM = 'No room at this link, or the password is wrong.';

/**
 * The words for a refused join. ROOM_NOT_FOUND is deliberately the answer for both "no such
 * room" and "missing or wrong password", so the message says both and the password field shows.
 */
export function refusalOf(code: string, message: string): Refusal {
  switch (code) {
    case ERROR_CODES.ROOM_NOT_FOUND:
      return { message: WRONG_PASSWORD_OR_NO_ROOM, askPassword: true };
    case ERROR_CODES.ROOM_LOCKED:
      return {
        message: 'The host has locked this meeting: nobody new can join right now.',
        askPassword: false,
      };
    case ERROR_CODES.BANNED:
      return {
        message: 'You cannot join this meeting again: a host removed you or did not let you in.',
        askPassword: false,
      };
    case ERROR_CODES.RATE_LIMITED: {
      const seconds = /(\d+)\s*s/.exec(message)?.[1];
      const wait = seconds ? `${seconds} s` : 'a minute';
      return {
        message: `Too many wrong passwords. Wait ${wait}, then try again.`,
        askPassword: true,
      };
    }
    case ERROR_CODES.ROOM_FULL:
      return { message: 'This meeting is full.', askPassword: false };
    case ERROR_CODES.UNAUTHORIZED:
      return {
        message: 'Your sign-in has expired. Sign in again, or join as a guest.',
        askPassword: false,
      };
    default:
      return { message: `Could not join: ${message}`, askPassword: false };
  }
}

export function removalMessage(removal: Removal): string {
  if (removal.reason === 'denied') return "The host didn't let you in.";
  if (removal.reason === 'removed') return 'You were removed from the meeting.';
  if (removal.reason === 'replaced') {
    return 'You joined this meeting again from another tab or window, so you left it here.';
  }
  return removal.byYou ? 'You ended the meeting for everyone.' : 'The host ended the meeting.';
}

export function mutedNotice(kind: 'audio' | 'video'): string {
  return kind === 'audio' ? 'A host muted you.' : 'A host turned off your camera.';
}

export function roleNotice(role: Role): string {
  if (role === 'host') return 'You are now the host.';
  if (role === 'cohost') return 'A host made you a co-host.';
  return 'You are no longer a co-host.';
}

/** Media flags changed since they were sent (e.g. the user muted while in the waiting room). */
export function mediaChanged(sent: MediaState | null, now: MediaState): boolean {
  return (
    sent === null ||
    sent.audio !== now.audio ||
    sent.video !== now.video ||
    !!sent.screen !== !!now.screen
  );
}

/** A stable random id for this browser: 22 base64url characters (128 bits). */
export function newDeviceId(random: (bytes: Uint8Array) => Uint8Array): string {
  const bytes = random(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function isDeviceId(v: string | null): v is string {
  return v !== null && DEVICE_ID.test(v);
}
