// The bot's make-before-break bookkeeping (the app's Switcher rules), driven step by step with
// a manual timer: which note goes out, and when a mesh link or the SFU side closes.

import { describe, expect, it } from 'vitest';
import { BotSwitch, SWAP_FALLBACK_MS } from '../../load/botSwitch.ts';
import type { SwitchTimers, Via } from '../../load/botSwitch.ts';

/** Timers that fire only when the test says time passed. */
function manualTimers(): SwitchTimers & { advance(ms: number): void } {
  let now = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  return {
    set: (fn, ms) => {
      pending.set(++next, { at: now + ms, fn });
      return next;
    },
    clear: (h) => void pending.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [h, t] of [...pending]) {
        if (t.at > now) continue;
        pending.delete(h);
        t.fn();
      }
    },
  };
}

type Step =
  | ['target', Via]
  | ['local', string, Via]
  /** A swap with nothing to tell (no mesh link to that peer). */
  | ['quiet', string, Via]
  | ['remote', string, Via]
  | ['left', string]
  | ['wait', number];

function run(initial: Via, peers: string[], steps: Step[]): string[] {
  const log: string[] = [];
  const timers = manualTimers();
  const room = new Set(peers);
  const sw = new BotSwitch(
    {
      tell: (p, via) => log.push(`tell ${p} ${via}`),
      closeMeshLink: (p) => log.push(`close link ${p}`),
      dropConsumers: (p) => log.push(`drop consumers ${p}`),
      closeSfu: () => log.push('close sfu'),
      peers: () => [...room],
    },
    initial,
    timers,
  );
  for (const step of steps) {
    if (step[0] === 'target') sw.setTarget(step[1]);
    else if (step[0] === 'local') sw.localOn(step[1], step[2]);
    else if (step[0] === 'quiet') sw.localOn(step[1], step[2], false);
    else if (step[0] === 'remote') sw.remoteOn(step[1], step[2]);
    else if (step[0] === 'left') {
      room.delete(step[1]);
      sw.peerLeft(step[1]);
    } else timers.advance(step[1]);
  }
  return log;
}

describe('BotSwitch', () => {
  const cases: [string, Via, string[], Step[], string[]][] = [
    [
      'to the SFU: the link closes once both ends swapped (ours first)',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['local', 'p', 'sfu'],
        ['remote', 'p', 'sfu'],
      ],
      ['tell p sfu', 'close link p'],
    ],
    [
      'to the SFU: theirs first',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['remote', 'p', 'sfu'],
        ['local', 'p', 'sfu'],
      ],
      ['tell p sfu', 'close link p'],
    ],
    [
      'to the SFU: no note from them, the fallback closes the link',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['local', 'p', 'sfu'],
        ['wait', SWAP_FALLBACK_MS - 1],
        ['wait', 1],
      ],
      ['tell p sfu', 'close link p'],
    ],
    [
      'a note about the old path does not close anything',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['remote', 'p', 'mesh'],
        ['local', 'p', 'sfu'],
      ],
      ['tell p sfu'],
    ],
    [
      'a swap is told once',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['local', 'p', 'sfu'],
        ['local', 'p', 'sfu'],
      ],
      ['tell p sfu'],
    ],
    [
      'back to the mesh: consumers go per peer, the SFU once every peer moved both ways',
      'sfu',
      ['p', 'q'],
      [
        ['target', 'mesh'],
        ['local', 'p', 'mesh'],
        ['remote', 'p', 'mesh'],
        ['remote', 'q', 'mesh'],
        ['local', 'q', 'mesh'],
      ],
      ['tell p mesh', 'drop consumers p', 'tell q mesh', 'drop consumers q', 'close sfu'],
    ],
    [
      'back to the mesh: a peer that never says so, the fallback closes the SFU side',
      'sfu',
      ['p', 'q'],
      [
        ['target', 'mesh'],
        ['local', 'p', 'mesh'],
        ['remote', 'p', 'mesh'],
        ['wait', SWAP_FALLBACK_MS],
      ],
      ['tell p mesh', 'drop consumers p', 'close sfu'],
    ],
    [
      'back to the mesh: the silent peer leaves, the SFU side closes at once',
      'sfu',
      ['p', 'q'],
      [
        ['target', 'mesh'],
        ['local', 'p', 'mesh'],
        ['remote', 'p', 'mesh'],
        ['left', 'q'],
        ['wait', SWAP_FALLBACK_MS],
      ],
      ['tell p mesh', 'drop consumers p', 'close sfu'],
    ],
    [
      'a peer met on the SFU is not told; its note still counts back on the mesh',
      'sfu',
      ['p'],
      [
        ['quiet', 'p', 'sfu'],
        ['target', 'mesh'],
        ['remote', 'p', 'mesh'],
        ['local', 'p', 'mesh'],
      ],
      ['tell p mesh', 'drop consumers p', 'close sfu'],
    ],
    [
      'moved back before the link closed: the pending close is dropped',
      'mesh',
      ['p'],
      [
        ['target', 'sfu'],
        ['local', 'p', 'sfu'],
        ['target', 'mesh'],
        ['remote', 'p', 'sfu'],
        ['wait', SWAP_FALLBACK_MS],
      ],
      ['tell p sfu', 'close sfu'],
    ],
  ];
  it.each(cases)('%s', (_, initial, peers, steps, expected) => {
    expect(run(initial, peers, steps)).toEqual(expected);
  });
});
