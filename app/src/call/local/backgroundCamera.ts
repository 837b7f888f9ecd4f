/**
 * A phone or tablet: a touch screen and no mouse. Its browser or installed app goes to the
 * background when the page is hidden (another app, the screen locked), unlike a laptop's tab
 * that someone left for their slides.
 */
export const TOUCH_DEVICE = '(hover: none) and (pointer: coarse)';

export interface BackgroundCameraDeps {
  /** In the call with the camera sending. */
  sending(): boolean;
  /** Turns the camera on or off, as its button does (the others are told). */
  setCamera(on: boolean): void;
  /** A host turned our camera off meanwhile and we may not turn it back on. */
  heldByHost(): boolean;
}

/**
 * On a phone, the camera stops sending while the app is in the background and comes back when
 * it returns (issue 20, as LiveKit's mobile SDKs do): nobody watches a frozen or black
 * picture of a pocket, and the phone saves its battery and data. The microphone stays on.
 * Incoming video is paused by the SFU side meanwhile (SfuConnector's `docHidden`).
 */
export class BackgroundCamera {
  /** The camera is off because the app went to the background (not by the person). */
  #stopped = false;

  constructor(private readonly deps: BackgroundCameraDeps) {
    document.addEventListener('visibilitychange', this.#onVisibility);
  }

  dispose(): void {
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'hidden') {
      if (!window.matchMedia(TOUCH_DEVICE).matches || !this.deps.sending()) return;
      this.#stopped = true;
      this.deps.setCamera(false);
    } else if (this.#stopped) {
      this.#stopped = false;
      if (!this.deps.heldByHost()) this.deps.setCamera(true);
    }
  };
}
