import { useEffect, useRef, useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { DevicePickers } from './DevicePickers.tsx';
import { MicMeter } from './MicMeter.tsx';
import { usePopover } from './usePopover.ts';
import { background } from '../util/background.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Room kept between the panel and the screen's edges (px). */
const EDGE = 8;
/** The panel's width in devices.css (22rem), unless the screen is narrower. */
const PANEL_WIDTH = 352;

/**
 * The toolbar's "Devices": a panel with the microphone, camera and speaker pickers and the
 * microphone's level, to change any of them without leaving the call. Escape, Done or a click
 * outside closes it; the focus then goes back to the button. Below the button, the notice of a
 * device that went away ("Your camera was disconnected; using ... now").
 */
export function DeviceMenu({ controller, snap }: Props) {
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const { open, setOpen, close } = usePopover(button, panel);
  const at = usePlaceAbove(button, open);
  const placed = at !== null;
  // Once placed: until then it is hidden, and a hidden field cannot take the focus.
  useEffect(() => {
    if (placed)
      panel.current?.querySelector<HTMLElement>('select:not([disabled]), button')?.focus();
  }, [placed]);
  return (
    <div class="device-menu">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="device-panel"
        onClick={() => setOpen(!open)}
      >
        Devices
      </button>
      {open && (
        <div
          id="device-panel"
          ref={panel}
          class="device-panel"
          role="dialog"
          aria-labelledby="device-panel-title"
          style={at ? { left: `${at.left}px`, bottom: `${at.bottom}px` } : { visibility: 'hidden' }}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation();
            close();
          }}
        >
          <h2 id="device-panel-title">Devices</h2>
          <DevicePickers
            snap={snap}
            idPrefix="call-pick"
            onSelect={(kind, id) => background(controller.selectDevice(kind, id), 'device switch')}
          />
          <MicMeter stream={controller.localStream()} epoch={snap.streamEpoch} />
          <button type="button" onClick={close}>
            Done
          </button>
        </div>
      )}
      {/* Always in the page, so that a screen reader announces a notice when it appears. */}
      <div
        class={snap.deviceNotice ? 'device-notice banner banner-info' : 'visually-hidden'}
        role="status"
      >
        {snap.deviceNotice && (
          <>
            <span>{snap.deviceNotice}</span>
            <button type="button" onClick={() => controller.dismissDeviceNotice()}>
              Dismiss
            </button>
          </>
        )}
      </div>
    </div>
  );
}

/**
 * Where the panel sits on the screen: just above its button, its left edge at the button's but
 * wholly on the screen (fixed: on a phone the toolbar scrolls sideways, and a box inside it
 * would be cut off). Follows the button as the page or the toolbar scrolls.
 */
function usePlaceAbove(
  button: { current: HTMLElement | null },
  open: boolean,
): { left: number; bottom: number } | null {
  const [at, setAt] = useState<{ left: number; bottom: number } | null>(null);
  useEffect(() => {
    if (!open) return setAt(null);
    const place = () => {
      const r = button.current?.getBoundingClientRect();
      if (!r) return;
      const width = Math.min(PANEL_WIDTH, window.innerWidth - 2 * EDGE);
      const left = Math.min(Math.max(r.left, EDGE), window.innerWidth - width - EDGE);
      setAt({ left, bottom: Math.max(EDGE, window.innerHeight - r.top + 6) });
    };
    place();
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    };
  }, [open]);
  return at;
}
