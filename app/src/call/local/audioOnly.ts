import { safeGet, safeSet } from '../../api.ts';

const KEY = 'parley.audioOnly';

export interface AudioOnlyDeps {
  /** Our camera is on now. */
  cameraOn(): boolean;
  /** Turns the camera on or off, as its button does (the others are told). */
  setCamera(on: boolean): void;
  /** A host turned our camera off meanwhile and we may not turn it back on. */
  heldByHost(): boolean;
  /** Camera video goes both ways, or not at all (the media paths). */
  setVideo(on: boolean): void;
  changed(on: boolean): void;
}

/**
 * "Audio only" (issue 20): no video sent or received, to save data on a slow or metered
 * connection; remembered on this device. Our camera goes off (and comes back on when audio
 * only ends, if it was on and no host has turned it off meanwhile); others' cameras stop
 * coming to us. Shared screens still come: in a class they are the lesson.
 */
export class AudioOnly {
  #on = safeGet(KEY) === 'on';
  /** The camera was on when audio only began: it comes back on when it ends. */
  #restoreCamera = false;

  constructor(private readonly deps: AudioOnlyDeps) {}

  get on(): boolean {
    return this.#on;
  }

  /** Applies a remembered choice as the call starts (our camera off, if it is on). */
  joined(): void {
    if (this.#on && this.deps.cameraOn()) {
      this.#restoreCamera = true;
      this.deps.setCamera(false);
    }
  }

  set(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    safeSet(KEY, on ? 'on' : 'off');
    this.deps.setVideo(!on);
    if (on) {
      this.#restoreCamera = this.deps.cameraOn();
      if (this.#restoreCamera) this.deps.setCamera(false);
    } else {
      if (this.#restoreCamera && !this.deps.cameraOn() && !this.deps.heldByHost()) {
        this.deps.setCamera(true);
      }
      this.#restoreCamera = false;
    }
    this.deps.changed(on);
  }
}
