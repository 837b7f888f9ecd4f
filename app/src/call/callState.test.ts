import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM_SETTINGS } from '@parley/protocol';
import type { ServerMessageOf } from '@parley/protocol';
import {
  initialSnapshot,
  joinedPatch,
  localViewOf,
  mediaFlags,
  resumedPatch,
} from './callState.ts';
import type { LocalMediaView } from './callState.ts';

const both: LocalMediaView = { hasAudio: true, hasVideo: true, audioOn: true, videoOn: true };

describe('mediaFlags', () => {
  it.each<[string, LocalMediaView, { audio: boolean; video: boolean }]>([
    ['both on', both, { audio: true, video: true }],
    ['microphone muted', { ...both, audioOn: false }, { audio: false, video: true }],
    ['camera off', { ...both, videoOn: false }, { audio: true, video: false }],
    ['no microphone granted', { ...both, hasAudio: false }, { audio: false, video: true }],
    ['no camera granted', { ...both, hasVideo: false }, { audio: true, video: false }],
  ])('%s', (_label, local, flags) => {
    expect(mediaFlags(local)).toEqual(flags);
  });

  it('says "screen" only while sharing', () => {
    expect(mediaFlags(both, true)).toEqual({ audio: true, video: true, screen: true });
    expect(mediaFlags(both, false)).not.toHaveProperty('screen');
  });
});

describe('localViewOf', () => {
  const track = (enabled: boolean) => ({ enabled }) as MediaStreamTrack;
  const stream = (audio: MediaStreamTrack[], video: MediaStreamTrack[]) =>
    ({ getAudioTracks: () => audio, getVideoTracks: () => video }) as unknown as MediaStream;

  it('has nothing without a stream', () => {
    expect(localViewOf(undefined)).toEqual({
      hasAudio: false,
      hasVideo: false,
      audioOn: false,
      videoOn: false,
    });
  });

  it('reads which kinds exist and whether they are enabled', () => {
    expect(localViewOf(stream([track(false)], [track(true)]))).toEqual({
      hasAudio: true,
      hasVideo: true,
      audioOn: false,
      videoOn: true,
    });
  });

  it('a stream with only a microphone has no camera', () => {
    expect(localViewOf(stream([track(true)], []))).toEqual({
      hasAudio: true,
      hasVideo: false,
      audioOn: true,
      videoOn: false,
    });
  });
});

describe('initialSnapshot', () => {
  it('starts in the preview, in mesh mode, with nobody else', () => {
    const s = initialSnapshot();
    expect(s).toMatchObject({ phase: 'preview', mode: 'mesh', peers: [], chat: [], live: false });
  });

  it("assumes the server's default settings until `joined` says (a copy kept free of zod)", () => {
    expect(initialSnapshot().settings).toEqual(DEFAULT_ROOM_SETTINGS);
  });

  it('hands out a fresh snapshot each time', () => {
    const a = initialSnapshot();
    a.peers.push({
      peerId: 'x',
      name: 'x',
      role: 'guest',
      media: { audio: true, video: true },
      connected: true,
    });
    expect(initialSnapshot().peers).toEqual([]);
  });
});

describe('joinedPatch and resumedPatch', () => {
  const joined = {
    type: 'joined',
    roomId: 'r',
    peerId: 'me',
    role: 'guest',
    resumeToken: 'x'.repeat(22),
    peers: [{ peerId: 'p1', name: 'Ada', role: 'host', media: { audio: true, video: true } }],
    chat: [],
    mode: 'sfu',
    activeSpeaker: 'p1',
    settings: DEFAULT_ROOM_SETTINGS,
    live: true,
    iceServers: [],
  } as unknown as ServerMessageOf<'joined'>;

  it('puts a fresh seat in the call with the room as the server sees it', () => {
    expect(joinedPatch(joined)).toMatchObject({
      phase: 'in-call',
      selfId: 'me',
      role: 'guest',
      mode: 'sfu',
      speaker: 'p1',
      live: true,
      watchToken: null,
      peers: [{ peerId: 'p1', name: 'Ada', connected: false }],
    });
  });

  it('leaves identity and peers alone on a resumed seat', () => {
    const patch = resumedPatch(joined);
    expect(patch).toMatchObject({ phase: 'in-call', mode: 'sfu', live: true });
    expect(patch).not.toHaveProperty('selfId');
    expect(patch).not.toHaveProperty('peers');
  });
});
