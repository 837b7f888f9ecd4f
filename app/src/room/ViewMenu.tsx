import { useEffect, useRef } from 'preact/hooks';
import type { LayoutPrefs } from './layoutPrefs.ts';

/** The "Audio only" choice (CallController.audioOnly, shown from the snapshot). */
export interface AudioOnlyToggle {
  on: boolean;
  set(on: boolean): void;
}
import { useFixedAbove } from './useFixedAbove.ts';
import { usePopover } from './usePopover.ts';

/** About half the panel's width (see .view-menu in stage.css). */
const HALF_WIDTH = 110;

/**
 * The toolbar's "View": Grid or Speaker, Hide self view / Show self view, and Audio only, all
 * remembered on this device. A disclosure of plain radio buttons: Tab and the arrow keys work as in any
 * form; Escape or a click outside closes it, and Escape gives the focus back to "View".
 */
export function ViewMenu({ prefs, audioOnly }: { prefs: LayoutPrefs; audioOnly: AudioOnlyToggle }) {
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const { open, setOpen, close } = usePopover(toggle, panel);
  const at = useFixedAbove(toggle, open, HALF_WIDTH);
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('input:checked')?.focus();
  }, [open]);
  return (
    <div class="view-menu-wrap">
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        aria-controls="view-menu"
        onClick={() => setOpen(!open)}
      >
        View
      </button>
      {open && (
        <div
          ref={panel}
          id="view-menu"
          class="view-menu"
          style={at ? { left: `${at.left}px`, bottom: `${at.bottom}px` } : { visibility: 'hidden' }}
          role="group"
          aria-label="View"
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          <fieldset>
            <legend>Layout</legend>
            {(['grid', 'speaker'] as const).map((view) => (
              <label key={view} class="toggle">
                <input
                  type="radio"
                  name="call-view"
                  value={view}
                  checked={prefs.view === view}
                  onChange={() => prefs.setView(view)}
                />
                {view === 'grid' ? 'Grid' : 'Speaker'}
              </label>
            ))}
          </fieldset>
          <button type="button" onClick={() => prefs.setSelfHidden(!prefs.selfHidden)}>
            {prefs.selfHidden ? 'Show self view' : 'Hide self view'}
          </button>
          <label class="toggle" title="No video sent or received: saves data on a slow network">
            <input
              type="checkbox"
              checked={audioOnly.on}
              onChange={(e) => audioOnly.set(e.currentTarget.checked)}
              aria-describedby="audio-only-hint"
            />
            Audio only
          </label>
          <p id="audio-only-hint" class="hint">
            No video sent or received, to save data. Shared screens still show.
          </p>
        </div>
      )}
    </div>
  );
}
