import { useEffect, useRef } from 'preact/hooks';
import type { LayoutPrefs } from './layoutPrefs.ts';
import { useFixedAbove } from './useFixedAbove.ts';
import { usePopover } from './usePopover.ts';

/** About half the panel's width (see .view-menu in stage.css). */
const HALF_WIDTH = 110;

/**
 * The toolbar's "View": Grid or Speaker, and Hide self view / Show self view, both remembered
 * on this device. A disclosure of plain radio buttons: Tab and the arrow keys work as in any
 * form; Escape or a click outside closes it, and Escape gives the focus back to "View".
 */
export function ViewMenu({ prefs }: { prefs: LayoutPrefs }) {
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
        </div>
      )}
    </div>
  );
}
