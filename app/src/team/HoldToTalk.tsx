import { useEffect } from 'preact/hooks';
import type { FloorControl } from './FloorControl.ts';
import type { TeamSnapshot } from './teamState.ts';
import { channelName, holdLabel, queuedLabel } from './teamState.ts';

interface Props {
  floor: FloorControl;
  snap: TeamSnapshot;
}

/**
 * Space talks when the page has no other use for it: focus on the button itself or on nothing
 * interactive. On a checkbox, radio, slider, link or text field Space keeps its own meaning,
 * so the page stays usable from the keyboard.
 */
function spaceTalks(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return true;
  if (target.classList.contains('hold-to-talk')) return true;
  if (target.isContentEditable) return false;
  return !target.closest('input, select, textarea, button, a[href], [role="slider"]');
}

/**
 * The big button: pointer (mouse, touch, pen) down talks, up, cancel or leaving it lets go;
 * Space held does the same from the keyboard (its auto-repeat ignored).
 */
export function HoldToTalk({ floor, snap }: Props) {
  useEffect(() => {
    // A Space press that talks is let go by its keyup wherever the focus went meanwhile (a
    // click on another control while Space is held must not leave us talking).
    let spaceTalking = false;
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || !spaceTalks(e.target)) return;
      e.preventDefault();
      if (e.repeat) return;
      spaceTalking = true;
      floor.press();
    };
    const up = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || !(spaceTalking || spaceTalks(e.target))) return;
      e.preventDefault();
      spaceTalking = false;
      floor.release();
    };
    const blur = () => floor.release();
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    };
  }, [floor]);

  const { talk } = snap;
  const state = talk.kind;
  const target = snap.talkOn ? channelName(snap, snap.talkOn) : null;
  // In line, the hint says so too (a live region: the button's own label is not announced).
  const hint =
    talk.kind === 'queued'
      ? `${queuedLabel(snap, talk.channelId, talk.position)}. Keep holding: you talk when it is your turn.`
      : target
        ? `Talks on ${target}. Hold the button, or hold Space.`
        : 'Choose a channel to talk on.';
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    // Keep getting this pointer's up even when the finger slides off the button.
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    floor.press();
  };
  return (
    <div class="hold-wrap">
      {/* Why the last press failed or a turn ended, beside the button: on a phone the top of
          the page may be scrolled away while the thumb is here. */}
      <p class="floor-reason" role="status" data-reason={snap.reason ?? ''}>
        {snap.reason ?? ''}
      </p>
      <button
        type="button"
        class={`hold-to-talk ${state}`}
        data-floor={state}
        aria-pressed={state !== 'idle'}
        aria-describedby="hold-hint"
        disabled={!target || snap.phase !== 'in-team'}
        onPointerDown={onDown}
        onPointerUp={() => floor.release()}
        onPointerCancel={() => floor.release()}
        onLostPointerCapture={() => floor.release()}
        onContextMenu={(e) => e.preventDefault()}
      >
        {holdLabel(snap)}
      </button>
      <p id="hold-hint" class="muted" aria-live="polite">
        {hint}
      </p>
    </div>
  );
}
