import { describe, expect, it } from 'vitest';
import { LIMITS } from '@parley/protocol';
import { COUNT_FROM, lengthHint, sendsOnEnter, tidyDraft } from './chatDraft.ts';

const MAX = LIMITS.CHAT_TEXT_MAX;
const HOLDS = `a message holds ${MAX.toLocaleString('en')}.`;

describe('the message field', () => {
  it.each<[number, ReturnType<typeof lengthHint>]>([
    [0, null],
    [MAX - COUNT_FROM - 1, null],
    [MAX - COUNT_FROM, { text: `${COUNT_FROM} characters left`, over: false }],
    [MAX - 1, { text: '1 character left', over: false }],
    [MAX, { text: '0 characters left', over: false }],
    [MAX + 1, { text: `1 character too many: ${HOLDS}`, over: true }],
    [MAX + 1500, { text: `1,500 characters too many: ${HOLDS}`, over: true }],
  ])('with %i characters says %j', (length, hint) => {
    expect(lengthHint(length)).toEqual(hint);
  });

  it.each([
    [{ key: 'Enter', shiftKey: false, isComposing: false }, true],
    [{ key: 'Enter', shiftKey: true, isComposing: false }, false],
    [{ key: 'Enter', shiftKey: false, isComposing: true }, false],
    [{ key: 'a', shiftKey: false, isComposing: false }, false],
  ])('%j sends: %s', (key, sends) => {
    expect(sendsOnEnter(key)).toBe(sends);
  });

  it.each([
    ['hello', 'hello'],
    ['hello\n', 'hello'],
    ['\n\nhello  \n \n', 'hello'],
    ['one\n\ntwo', 'one\n\ntwo'],
    ['  \n    indented()\n', '    indented()'],
    [' \n \n', ''],
  ])('sends %j as %j', (draft, sent) => {
    expect(tidyDraft(draft)).toBe(sent);
  });
});
