import { describe, expect, it } from 'vitest';
import { AudioOnly } from './audioOnly.ts';

function rig(camera: boolean, held = false) {
  const state = { camera, receiving: true, told: [] as boolean[] };
  const audioOnly = new AudioOnly({
    cameraOn: () => state.camera,
    setCamera: (on) => (state.camera = on),
    heldByHost: () => held,
    setVideo: (on) => (state.receiving = on),
    changed: (on) => state.told.push(on),
  });
  return { state, audioOnly };
}

describe('AudioOnly', () => {
  it('stops our camera and others’ video, and brings our camera back after', () => {
    const { state, audioOnly } = rig(true);
    audioOnly.set(true);
    expect(state).toMatchObject({ camera: false, receiving: false, told: [true] });
    audioOnly.set(false);
    expect(state).toMatchObject({ camera: true, receiving: true, told: [true, false] });
  });

  it('leaves a camera that was off, or that a host turned off meanwhile, off', () => {
    const off = rig(false);
    off.audioOnly.set(true);
    off.audioOnly.set(false);
    expect(off.state.camera).toBe(false);

    const held = rig(true, true);
    held.audioOnly.set(true);
    held.audioOnly.set(false);
    expect(held.state.camera).toBe(false);
    expect(held.state.receiving).toBe(true);
  });

  it('changes nothing when set to what it is', () => {
    const { state, audioOnly } = rig(true);
    audioOnly.set(false);
    expect(state).toMatchObject({ camera: true, receiving: true, told: [] });
  });
});
