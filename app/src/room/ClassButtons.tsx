import { useEffect, useRef, useState } from 'preact/hooks';
import { REACTIONS, REACTION_NAMES } from '@parley/protocol';
import type { Reaction } from '@parley/protocol';
import { ariaKeys } from './shortcuts.ts';
import { useFixedAbove } from './useFixedAbove.ts';
import { background } from '../util/background.ts';
import type { Classroom } from '../call/features/classroom/Classroom.ts';

interface Props {
  classroom: Classroom;
  /** Our hand is up. */
  raised: boolean;
}

/** The toolbar's Raise hand / Lower hand switch and the Reactions menu. */
export function ClassButtons({ classroom, raised }: Props) {
  return (
    <>
      <button
        type="button"
        class={raised ? 'hand-on' : ''}
        aria-keyshortcuts={ariaKeys('hand')}
        onClick={() => background(classroom.setHand(!raised), 'hand')}
      >
        {raised ? 'Lower hand' : 'Raise hand'}
      </button>
      <ReactionMenu onReact={(r) => background(classroom.react(r), 'reaction')} />
    </>
  );
}

/** Half the width of the row of six reactions (six 44 px buttons, gaps, padding). */
const PICKER_HALF_WIDTH = 150;

/**
 * "Reactions": a row of emoji buttons that stays open for several picks; Escape (focus back on
 * the button) or the button closes it. Placed above its button on the screen (useFixedAbove).
 */
function ReactionMenu({ onReact }: { onReact(reaction: Reaction): void }) {
  const [open, setOpen] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const at = useFixedAbove(toggle, open, PICKER_HALF_WIDTH);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <div class="reaction-menu">
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        aria-controls="reaction-picker"
        onClick={() => setOpen(!open)}
      >
        Reactions
      </button>
      {open && (
        <div
          id="reaction-picker"
          class="reaction-picker"
          style={at ? { left: `${at.left}px`, bottom: `${at.bottom}px` } : { visibility: 'hidden' }}
          role="group"
          aria-label="Send a reaction"
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          {REACTIONS.map((r, i) => (
            <button
              key={r}
              ref={i === 0 ? first : undefined}
              type="button"
              class="reaction-pick"
              aria-label={REACTION_NAMES[r]}
              title={REACTION_NAMES[r]}
              onClick={() => onReact(r)}
            >
              {r}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
