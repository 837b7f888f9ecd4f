import { describe, expect, it } from 'vitest';
import {
  fallbackDevice,
  fallbackNotice,
  goneKinds,
  readRemembered,
  remember,
  resolveRemembered,
} from './deviceChoice.ts';
import type { DeviceLists } from './media.ts';

const mic = (deviceId: string, label = deviceId) => ({ deviceId, label });

const LISTS: DeviceLists = {
  microphones: [mic('default', 'Default'), mic('m1', 'Headset'), mic('m2', 'Laptop mic')],
  cameras: [mic('c1', 'Webcam'), mic('c2', 'USB camera')],
  speakers: [mic('default', 'Default'), mic('s1', 'Headphones')],
};

describe('readRemembered', () => {
  it.each([
    ['nothing stored', null],
    ['not JSON', '{oops'],
    ['not an object', '"camera"'],
    ['null', 'null'],
  ])('reads %s as no choices', (_what, raw) => {
    expect(readRemembered(raw)).toEqual({});
  });

  it('keeps well-formed entries and drops the others', () => {
    const raw = JSON.stringify({
      audio: { deviceId: 'm1', label: 'Headset' },
      video: { deviceId: 42, label: 'Webcam' },
      output: { deviceId: '', label: 'Empty' },
      other: { deviceId: 'x', label: 'y' },
    });
    expect(readRemembered(raw)).toEqual({ audio: { deviceId: 'm1', label: 'Headset' } });
  });

  it('reads back what remember() wrote', () => {
    const all = remember(remember({}, 'video', mic('c2', 'USB camera')), 'output', mic('s1'));
    expect(readRemembered(JSON.stringify(all))).toEqual({
      video: { deviceId: 'c2', label: 'USB camera' },
      output: { deviceId: 's1', label: 's1' },
    });
  });
});

describe('resolveRemembered', () => {
  it.each([
    ['nothing remembered', undefined, undefined],
    ['the same id', { deviceId: 'm2', label: 'Renamed' }, 'm2'],
    ['a new id with the same label', { deviceId: 'old-id', label: 'Headset' }, 'm1'],
    ['a device that is not here', { deviceId: 'gone', label: 'Gone' }, undefined],
  ])('%s gives %s', (_what, saved, expected) => {
    expect(resolveRemembered(LISTS.microphones, saved)).toBe(expected);
  });
});

describe('fallbackDevice', () => {
  it.each([
    ['the system default when listed', LISTS.microphones, 'm1', 'default'],
    [
      'the system default even when it was the one that ended',
      LISTS.microphones,
      'default',
      'default',
    ],
    ['the first other device without a system default', LISTS.cameras, 'c1', 'c2'],
    ['the first device when the gone one is not listed any more', LISTS.cameras, 'gone', 'c1'],
  ])('takes %s', (_what, options, gone, expected) => {
    expect(fallbackDevice(options, gone)?.deviceId).toBe(expected);
  });

  it('finds nothing when the gone device was the only one', () => {
    expect(fallbackDevice([mic('c1')], 'c1')).toBeUndefined();
  });
});

describe('goneKinds', () => {
  it('lists the kinds whose selected device is no longer there', () => {
    expect(goneKinds(LISTS, { audio: 'm1', video: 'c9', output: 's1' })).toEqual(['video']);
    expect(goneKinds(LISTS, { audio: 'mX', output: 'sX' })).toEqual(['audio', 'output']);
  });

  it('lists nothing when nothing is selected', () => {
    expect(goneKinds(LISTS, {})).toEqual([]);
  });
});

describe('fallbackNotice', () => {
  it.each([
    ['audio', mic('default', 'Default'), 'Your microphone was disconnected; using Default now.'],
    ['video', mic('c2', 'USB camera'), 'Your camera was disconnected; using USB camera now.'],
    ['output', undefined, 'Your speaker was disconnected, and no other speaker was found.'],
  ] as const)('for %s', (kind, to, text) => {
    expect(fallbackNotice(kind, to)).toBe(text);
  });
});
