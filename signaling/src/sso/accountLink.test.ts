import { describe, expect, it } from 'vitest';
import { LIMITS } from '@parley/protocol';
import { nameOf } from './accountLink.ts';

describe('nameOf', () => {
  it.each<[Parameters<typeof nameOf>[0], string]>([
    [
      { names: { name: 'Ada Lovelace', preferred_username: 'ada' }, email: 'a@x.test' },
      'Ada Lovelace',
    ],
    [{ names: { given_name: 'Ada', family_name: 'Lovelace' }, email: 'a@x.test' }, 'Ada Lovelace'],
    [{ names: { given_name: 'Ada', preferred_username: 'al' }, email: 'a@x.test' }, 'Ada'],
    [{ names: { preferred_username: 'al' }, email: 'a@x.test' }, 'al'],
    [{ names: {}, email: 'ada.l@x.test' }, 'ada.l'],
    [{ names: { name: 'Ada\u0000\u001b[31m' }, email: undefined }, 'Ada[31m'],
    [{ names: { name: '\u0007' }, email: undefined }, 'Parley user'],
    [{ names: {}, email: undefined }, 'Parley user'],
  ])('names %j "%s"', (identity, name) => {
    expect(nameOf(identity)).toBe(name);
  });

  it('keeps a long name within the protocol’s limit, without splitting a character', () => {
    const name = nameOf({ names: { name: `a${'😀'.repeat(LIMITS.NAME_MAX)}` }, email: undefined });
    // The protocol counts UTF-16 units: 1 + 31 emoji of 2 units each is 63 of 64.
    expect(name).toBe(`a${'😀'.repeat((LIMITS.NAME_MAX - 1) >> 1)}`);
  });
});
