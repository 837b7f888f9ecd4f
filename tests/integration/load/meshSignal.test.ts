// The relay payloads a bot reads and writes on the app's mesh (simple-peer inside
// `{link, signal}`, and relay notes), table-tested against what the app sends.

import { describe, expect, it } from 'vitest';
import { envelope, readRelay, readSimpleSignal } from '../../load/meshSignal.ts';
import type { RelayIn, SimpleSignal } from '../../load/meshSignal.ts';

const CANDIDATE = 'candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host generation 0';

describe('readRelay', () => {
  const cases: [string, Record<string, unknown>, RelayIn][] = [
    [
      'an offer',
      { link: 'L1', signal: { type: 'offer', sdp: 'v=0\r\n' } },
      { what: 'signal', link: 'L1', signal: { type: 'offer', sdp: 'v=0\r\n' } },
    ],
    [
      'an answer',
      { link: 'L1', signal: { type: 'answer', sdp: 'v=0\r\n' } },
      { what: 'signal', link: 'L1', signal: { type: 'answer', sdp: 'v=0\r\n' } },
    ],
    [
      'a trickled candidate (simple-peer 9)',
      {
        link: 'L1',
        signal: {
          type: 'candidate',
          candidate: { candidate: CANDIDATE, sdpMLineIndex: 0, sdpMid: '0' },
        },
      },
      {
        what: 'signal',
        link: 'L1',
        signal: {
          type: 'candidate',
          candidate: { candidate: CANDIDATE, sdpMLineIndex: 0, sdpMid: '0' },
        },
      },
    ],
    [
      'a candidate without a type, a null mid',
      { link: 'L1', signal: { candidate: { candidate: CANDIDATE, sdpMid: null } } },
      {
        what: 'signal',
        link: 'L1',
        signal: { type: 'candidate', candidate: { candidate: CANDIDATE } },
      },
    ],
    [
      'a renegotiation request',
      { link: 'L1', signal: { type: 'renegotiate', renegotiate: true } },
      { what: 'signal', link: 'L1', signal: { type: 'renegotiate' } },
    ],
    [
      'a transceiver request',
      {
        link: 'L1',
        signal: { type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: {} } },
      },
      { what: 'signal', link: 'L1', signal: { type: 'transceiverRequest', kind: 'video' } },
    ],
    [
      'a swapped note',
      { ctl: 'swapped', via: 'sfu' },
      { what: 'note', note: { ctl: 'swapped', via: 'sfu' } },
    ],
    [
      'a screen note',
      { ctl: 'screen', stream: null },
      { what: 'note', note: { ctl: 'screen', stream: null } },
    ],
    [
      'a note from a newer version',
      { ctl: 'wave', hand: 'left' },
      { what: 'ignored', why: 'unknown note "wave"' },
    ],
    [
      'a swapped note with a bad path',
      { ctl: 'swapped', via: 'carrier-pigeon' },
      { what: 'ignored', why: 'unknown note "swapped"' },
    ],
    [
      'a signal without a link id (an old client)',
      { type: 'offer', sdp: 'v=0' },
      { what: 'ignored', why: 'signal without a link id' },
    ],
    [
      'an offer without SDP',
      { link: 'L1', signal: { type: 'offer' } },
      { what: 'ignored', why: 'signal payload a bot does not read' },
    ],
    [
      'a candidate whose line index is not an integer',
      {
        link: 'L1',
        signal: { type: 'candidate', candidate: { candidate: CANDIDATE, sdpMLineIndex: 0.5 } },
      },
      { what: 'ignored', why: 'signal payload a bot does not read' },
    ],
    [
      'a signal that is an array',
      { link: 'L1', signal: [] },
      { what: 'ignored', why: 'signal payload a bot does not read' },
    ],
  ];
  it.each(cases)('%s', (_, data, expected) => {
    expect(readRelay(data)).toEqual(expected);
  });
});

describe('envelope', () => {
  const cases: [SimpleSignal, Record<string, unknown>][] = [
    [
      { type: 'offer', sdp: 'v=0' },
      { link: 'L2', signal: { type: 'offer', sdp: 'v=0' } },
    ],
    [
      { type: 'candidate', candidate: { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 } },
      {
        link: 'L2',
        signal: {
          type: 'candidate',
          candidate: { candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 },
        },
      },
    ],
    [{ type: 'renegotiate' }, { link: 'L2', signal: { type: 'renegotiate', renegotiate: true } }],
  ];
  it.each(cases)('wraps %j as simple-peer does', (signal, expected) => {
    const data = envelope('L2', signal);
    expect(data).toEqual(expected);
    // And reads back to the same signal (what the other bot of a bot-to-bot link sees).
    expect(readRelay(data)).toEqual({ what: 'signal', link: 'L2', signal });
  });

  it('reads nothing from a non-object', () => {
    expect(readSimpleSignal('offer')).toBeUndefined();
    expect(readSimpleSignal(null)).toBeUndefined();
  });
});
