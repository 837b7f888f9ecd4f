import { describe, expect, it } from 'vitest';
import { peerChanges } from './presence.ts';

const ada = { peerId: 'p-ada', name: 'Ada' };
const bob = { peerId: 'p-bob', name: 'Bob' };
const cy = { peerId: 'p-cy', name: 'Cy' };

describe('peer changes', () => {
  it.each([
    ['nobody', [ada, bob], [bob, ada], []],
    ['a peer who joined', [ada], [ada, bob], [{ name: 'Bob', change: 'joined' }]],
    ['a peer who left', [ada, bob], [ada], [{ name: 'Bob', change: 'left' }]],
    [
      'leaves before joins',
      [ada, bob],
      [bob, cy],
      [
        { name: 'Ada', change: 'left' },
        { name: 'Cy', change: 'joined' },
      ],
    ],
    ['a new name, not a new peer', [ada], [{ ...ada, name: 'Ada L.' }], []],
    [
      'a new peer with a name already here',
      [ada],
      [ada, { peerId: 'p-ada-2', name: 'Ada' }],
      [{ name: 'Ada', change: 'joined' }],
    ],
  ])('%s', (_name, before, after, changes) => {
    expect(peerChanges(before, after)).toEqual(changes);
  });
});
