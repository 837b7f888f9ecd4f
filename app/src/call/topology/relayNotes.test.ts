import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '@parley/protocol';
import { isNote, readNote } from './relayNotes.ts';
import type { RelayNote } from './relayNotes.ts';

describe('readNote', () => {
  it.each([
    [
      { ctl: 'swapped', via: 'mesh' },
      { ctl: 'swapped', via: 'mesh' },
    ],
    [
      { ctl: 'swapped', via: 'sfu' },
      { ctl: 'swapped', via: 'sfu' },
    ],
    [
      { ctl: 'screen', stream: 'stream-1' },
      { ctl: 'screen', stream: 'stream-1' },
    ],
    [
      { ctl: 'screen', stream: null },
      { ctl: 'screen', stream: null },
    ],
  ])('reads %j', (data, note) => {
    expect(readNote(data)).toEqual(note);
  });

  it('drops fields a note does not have (a newer browser may add some)', () => {
    expect(readNote({ ctl: 'swapped', via: 'sfu', extra: 1 })).toEqual({
      ctl: 'swapped',
      via: 'sfu',
    });
    expect(readNote({ ctl: 'screen', stream: null, extra: 'x' })).toEqual({
      ctl: 'screen',
      stream: null,
    });
  });

  it('reads what a sender writes, after the trip through the server as JSON', () => {
    const sent: RelayNote[] = [
      { ctl: 'swapped', via: 'mesh' },
      { ctl: 'screen', stream: 'stream-1' },
      { ctl: 'screen', stream: null },
    ];
    for (const note of sent) {
      const wire = JSON.stringify({ type: 'signal', from: 'peer-0001', data: note });
      const relayed = parseServerMessage(wire);
      if (!relayed.ok || relayed.message.type !== 'signal') throw new Error('not a signal');
      expect(readNote(relayed.message.data)).toEqual(note);
    }
  });

  it.each<Record<string, unknown>>([
    { ctl: 'swapped', via: 'carrier-pigeon' },
    { ctl: 'swapped' },
    { ctl: 'swapped', via: null },
    { ctl: 'screen' },
    { ctl: 'screen', stream: 42 },
    { ctl: 'future-note' },
    { type: 'offer', sdp: 'v=0' },
  ])('rejects %j', (data) => {
    expect(readNote(data)).toBeNull();
  });
});

describe('isNote', () => {
  it('is true for any note, even one this version does not know', () => {
    expect(isNote({ ctl: 'swapped', via: 'mesh' })).toBe(true);
    expect(isNote({ ctl: 'future-note' })).toBe(true);
  });

  it('is false for a simple-peer payload', () => {
    expect(isNote({ type: 'offer', sdp: 'v=0' })).toBe(false);
    expect(isNote({ candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host' } })).toBe(
      false,
    );
  });
});
