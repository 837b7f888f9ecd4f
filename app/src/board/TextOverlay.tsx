import { useEffect, useRef } from 'preact/hooks';
import { TEXT_MAX } from './BoardController.ts';

interface TextOverlayProps {
  /** CSS pixels from the canvas box's top left. */
  at: [number, number];
  color: string;
  /** The text to add (Enter or leaving the field), or null (Escape). */
  onDone(value: string | null): void;
}

/** The text tool's field, over the canvas where the user clicked. */
export function TextOverlay({ at, color, onDone }: TextOverlayProps) {
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  const finish = (value: string | null) => {
    // Enter then blur would add the text twice.
    if (done.current) return;
    done.current = true;
    onDone(value);
  };
  useEffect(() => input.current?.focus(), []);
  return (
    <input
      ref={input}
      class="board-text"
      type="text"
      maxLength={TEXT_MAX}
      aria-label="Text to add"
      style={{ left: `${at[0]}px`, top: `${at[1]}px`, color }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(e.currentTarget.value);
        else if (e.key === 'Escape') finish(null);
      }}
      onBlur={(e) => finish(e.currentTarget.value)}
    />
  );
}
