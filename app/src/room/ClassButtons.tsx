import { useEffect, useRef, useState } from 'preact/hooks';
import { REACTIONS, REACTION_NAMES } from '@parley/protocol';
import type { Reaction } from '@parley/protocol';
import { ariaKeys } from './shortcuts.ts';
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

/**
 * "Reactions": a row of emoji buttons that stays open for several picks; Escape (focus back on
 * the button) or the button closes it.
 */
function ReactionMenu({ onReact }: { onReact(reaction: Reaction): void }) {
  const [open, setOpen] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
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
