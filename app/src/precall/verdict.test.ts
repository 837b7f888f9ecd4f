import { describe, expect, it } from 'vitest';
import { formatRate, verdict } from './verdict.ts';
import type { CheckResults } from './verdict.ts';

const allWell: CheckResults = {
  socket: 'ok',
  turn: { udp: 'ok', tcp: 'ok', tls: 'off' },
  relayData: 'ok',
  sfu: 'off',
  uplinkKbps: 2400,
};

describe('verdict', () => {
  it.each<[string, Partial<CheckResults>, RegExp]>([
    ['all well', {}, /^All is well/],
    ['server down', { socket: 'failed' }, /server cannot be reached/],
    [
      'UDP blocked, relay over TCP works',
      { turn: { udp: 'failed', tcp: 'ok', tls: 'off' } },
      /blocks UDP; calls will use the relay \(TURN over TCP\)/,
    ],
    [
      'UDP blocked in a meeting on the SFU, which answers over TCP',
      { turn: { udp: 'failed', tcp: 'ok', tls: 'off' }, sfu: 'ok' },
      /blocks UDP; calls will use TCP to the media server, or the relay \(TURN over TCP\)/,
    ],
    [
      'UDP and TCP blocked, TLS works',
      { turn: { udp: 'failed', tcp: 'failed', tls: 'ok' } },
      /blocks UDP; calls will use the relay \(TURN over TLS\)/,
    ],
    [
      'TURN unreachable',
      { turn: { udp: 'failed', tcp: 'failed', tls: 'off' }, relayData: 'off' },
      /relay \(TURN\) cannot be reached: calls may fail behind a strict firewall/,
    ],
    ['relay passes no data', { relayData: 'failed' }, /answers but passes no data/],
    ['slow uplink', { uplinkKbps: 150 }, /upload is slow \(about 150 kbit\/s\)/],
    [
      'no TURN set up, SFU blocked',
      { turn: { udp: 'off', tcp: 'off', tls: 'off' }, relayData: 'off', sfu: 'failed' },
      /blocks the media server and no relay is set up/,
    ],
    [
      'no TURN set up, nothing else wrong',
      { turn: { udp: 'off', tcp: 'off', tls: 'off' }, relayData: 'off', uplinkKbps: undefined },
      /^All is well/,
    ],
  ])('%s', (_name, change, expected) => {
    expect(verdict({ ...allWell, ...change }).suggestion).toMatch(expected);
  });

  it('puts the most serious finding first: a dead server before a blocked relay', () => {
    const r = verdict({
      ...allWell,
      socket: 'failed',
      turn: { udp: 'failed', tcp: 'failed', tls: 'off' },
    });
    expect(r.tone).toBe('bad');
    expect(r.suggestion).toMatch(/server cannot be reached/);
  });

  it('lists each finding in words, and only what was tested', () => {
    const r = verdict({ ...allWell, turn: { udp: 'failed', tcp: 'ok', tls: 'off' } });
    expect(r.lines.map((l) => `${l.label}: ${l.text}`)).toEqual([
      'Server: reachable',
      'Relay (TURN) over UDP: cannot be reached',
      'Relay (TURN) over TCP: works',
      'Data through the relay: passes',
      'Upload speed: about 2.4 Mbit/s',
    ]);
  });

  it('says when no relay is set up', () => {
    const r = verdict({
      ...allWell,
      turn: { udp: 'off', tcp: 'off', tls: 'off' },
      relayData: 'off',
    });
    expect(r.lines).toContainEqual({
      label: 'Relay (TURN)',
      text: 'not set up on this server',
      tone: 'warn',
    });
  });
});

describe('formatRate', () => {
  it.each([
    [150, '150 kbit/s'],
    [999.6, '1000 kbit/s'],
    [1000, '1.0 Mbit/s'],
    [12_345, '12.3 Mbit/s'],
  ])('%d kbit/s reads %s', (kbps, text) => {
    expect(formatRate(kbps)).toBe(text);
  });
});
