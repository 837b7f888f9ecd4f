import { AudioOnly } from './local/audioOnly.ts';
import { BackgroundCamera } from './local/backgroundCamera.ts';
import type { CallSnapshot } from './callState.ts';
import type { Topology } from './topology/Topology.ts';

/** What the call lends the policies that turn our camera off and back on. */
export interface CallCameraDeps {
  snapshot(): CallSnapshot;
  /** Turns our camera on or off as its button does (the room is told when it changed). */
  setCamera(on: boolean): void;
  /** A host turned our camera off and we may not turn it back on. */
  heldByHost(): boolean;
  /** The room's media paths; null before the join and after leaving. */
  topology(): Topology | null;
  update(patch: Partial<CallSnapshot>): void;
}

/** "Audio only": no video sent or received, remembered on this device. */
export function callAudioOnly(call: CallCameraDeps): AudioOnly {
  return new AudioOnly({
    cameraOn: () => call.snapshot().local.videoOn,
    setCamera: (on) => call.setCamera(on),
    heldByHost: () => call.heldByHost(),
    setVideo: (on) => call.topology()?.setAudioOnly(!on),
    changed: (audioOnly) => call.update({ audioOnly }),
  });
}

/** On a phone, the camera pauses while the app is in the background. */
export function callBackgroundCamera(call: CallCameraDeps): BackgroundCamera {
  return new BackgroundCamera({
    sending: () => call.snapshot().phase === 'in-call' && call.snapshot().local.videoOn,
    setCamera: (on) => call.setCamera(on),
    heldByHost: () => call.heldByHost(),
  });
}
