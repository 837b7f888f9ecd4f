import { describe, expect, it } from 'vitest';
import { personState, presenceSummary } from './people.ts';
import type { Person } from './people.ts';

describe('personState', () => {
  const base: Person = {
    peerId: 'p1',
    name: 'Ada',
    role: 'guest',
    media: { audio: true, video: true },
    hand: null,
  };

  it('says nothing of an unmuted guest with a camera', () => {
    expect(personState(base)).toBe('');
  });

  it('names the role, what is off, a share and the place of a raised hand', () => {
    expect(
      personState({
        ...base,
        role: 'host',
        media: { audio: false, video: false, screen: true },
        hand: 2,
      }),
    ).toBe('Host, microphone off, camera off, sharing the screen, hand raised (2nd)');
    expect(personState({ ...base, role: 'cohost', hand: 11 })).toBe('Co-host, hand raised (11th)');
    expect(personState({ ...base, hand: 23 })).toBe('hand raised (23rd)');
  });
});

describe('presenceSummary', () => {
  const joined = (name: string) => ({ name, change: 'joined' as const });
  const left = (name: string) => ({ name, change: 'left' as const });

  it.each([
    [[joined('Ada')], 'Ada joined'],
    [[left('Ada')], 'Ada left'],
    [[joined('Ada'), joined('Bo')], 'Ada and Bo joined'],
    [[joined('Ada'), joined('Bo'), joined('Cy'), left('Di')], 'Ada and 2 others joined. Di left'],
    [[], ''],
  ])('%j -> %j', (changes, text) => {
    expect(presenceSummary(changes)).toBe(text);
  });
});
