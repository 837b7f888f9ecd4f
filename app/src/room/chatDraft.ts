import { LIMITS } from '@parley/protocol';

/** From how many characters left the message field counts down. */
export const COUNT_FROM = 200;

/**
 * What the message field says about its length: nothing while there is room, a count near
 * the limit, and why Send is off past it. The server refuses more than CHAT_TEXT_MAX
 * (UTF-16 units, as `length` counts them); the field does not cut a paste short silently.
 */
export function lengthHint(length: number): { text: string; over: boolean } | null {
  const left = LIMITS.CHAT_TEXT_MAX - length;
  if (left < 0) {
    const max = LIMITS.CHAT_TEXT_MAX.toLocaleString('en');
    return { text: `${characters(-left)} too many: a message holds ${max}.`, over: true };
  }
  if (left <= COUNT_FROM) return { text: `${characters(left)} left`, over: false };
  return null;
}

function characters(n: number): string {
  return n === 1 ? '1 character' : `${n.toLocaleString('en')} characters`;
}

/**
 * Enter sends, Shift+Enter starts a new line; an Enter that ends an IME composition (a
 * Japanese or Chinese word being chosen) only ends the composition.
 */
export function sendsOnEnter(key: { key: string; shiftKey: boolean; isComposing: boolean }) {
  return key.key === 'Enter' && !key.shiftKey && !key.isComposing;
}

/**
 * The text to send: without the blank lines and spaces around it (a Shift+Enter too many),
 * but with the indentation of its first line (code pasted in).
 */
export function tidyDraft(draft: string): string {
  return draft.replace(/^(?:[^\S\n]*\n)+/, '').trimEnd();
}
