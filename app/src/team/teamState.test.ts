import { describe, expect, it } from 'vitest';
import {
  busyReason,
  connectionPhase,
  endedReason,
  holdLabel,
  initialTeamSnapshot,
  ordinal,
  queuedLabel,
  talkingOn,
  talkerName,
  talkingSummary,
  withChannels,
} from './teamState.ts';
import type { TeamSnapshot } from './teamState.ts';

const general = { id: 'g', name: 'General' };
const ops = { id: 'o', name: 'Ops' };

function team(patch: Partial<TeamSnapshot> = {}): TeamSnapshot {
  return {
    ...initialTeamSnapshot('Crew'),
    selfId: 'me',
    channels: [general, ops],
    names: { me: 'Ann', b: 'Bob' },
    ...patch,
  };
}

describe('team state', () => {
  it('says Reconnecting… in the team while the socket or the media is coming back', () => {
    const cases: [TeamSnapshot['phase'], boolean, boolean, TeamSnapshot['phase']][] = [
      // phase, seated, restarting ICE -> phase
      ['in-team', true, false, 'in-team'],
      ['in-team', false, false, 'reconnecting'],
      ['in-team', true, true, 'reconnecting'],
      ['reconnecting', true, false, 'in-team'],
      ['reconnecting', true, true, 'reconnecting'],
      ['reconnecting', false, false, 'reconnecting'],
      // Not in the team: the connection does not change what the page shows.
      ['joining', false, false, 'joining'],
      ['waiting', true, false, 'waiting'],
      ['removed', false, true, 'removed'],
      ['failed', false, false, 'failed'],
    ];
    for (const [phase, seated, restarting, shown] of cases) {
      expect(connectionPhase(phase, seated, restarting), `${phase} ${seated} ${restarting}`).toBe(
        shown,
      );
    }
  });

  it('names who talks: another member, us, nobody', () => {
    const snap = team({ talkers: { o: 'b', g: 'me' } });
    expect(talkerName(snap, 'o')).toBe('Bob');
    expect(talkerName(snap, 'g')).toBe('You');
    expect(talkerName(team(), 'o')).toBeNull();
    expect(talkingSummary(snap)).toBe('You are talking on General. Bob is talking on Ops.');
  });

  it.each([
    [{ o: 'b' }, 'Ops is busy: Bob is talking'],
    [{ o: 'stranger' }, 'Ops is busy: Someone is talking'],
    [{}, 'Ops is busy'],
  ])('says why a press on a busy channel was refused (%j)', (talkers, words) => {
    expect(busyReason(team({ talkers }), 'o')).toBe(words);
  });

  it.each([
    ['expired', 'Talk time is up'],
    ['preempted', 'An admin ended your turn'],
    ['revoked', 'An admin ended your turn'],
    ['channel-removed', 'The channel was removed'],
  ] as const)('says why a floor ended (%s)', (reason, words) => {
    expect(endedReason(reason)).toBe(words);
  });

  it('forgets choices about removed channels and falls back to the first to talk on', () => {
    const snap = team({ listening: ['g', 'o'], talkOn: 'o', talkers: { o: 'b' } });
    expect(withChannels(snap, [general])).toEqual({
      channels: [general],
      talkers: {},
      talkOn: 'g',
      listening: ['g'],
    });
    expect(withChannels(team({ talkOn: 'o' }), [general, ops]).talkOn).toBe('o');
  });

  it('labels the button by the floor we hold', () => {
    expect(holdLabel(team())).toBe('Hold to talk');
    expect(holdLabel(team({ talk: { kind: 'granted', channelId: 'o' } }))).toBe('Talking on Ops');
    expect(holdLabel(team({ talk: { kind: 'queued', channelId: 'o', position: 2 } }))).toBe(
      'Waiting to talk on Ops: 2nd in line',
    );
  });

  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [102, '102nd'],
    [111, '111th'],
  ])('place %i reads %s', (n, word) => {
    expect(ordinal(n)).toBe(word);
  });

  it("says our place in a channel's line", () => {
    expect(queuedLabel(team(), 'o', 1)).toBe('Waiting to talk on Ops: 1st in line');
  });

  it('finds the channel someone talks on', () => {
    const snap = team({ talkers: { o: 'b' } });
    expect(talkingOn(snap, 'b')).toEqual(ops);
    expect(talkingOn(snap, 'me')).toBeNull();
  });
});
