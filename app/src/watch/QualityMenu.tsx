import { useEffect, useRef } from 'preact/hooks';
import { usePopover } from '../room/usePopover.ts';
import type { Quality } from './playerTypes.ts';
import { qualityLabel } from './watchState.ts';

interface Props {
  /** Heights on offer, highest first; the menu is not shown for fewer than two. */
  qualities: readonly number[];
  quality: Quality;
  playingHeight: number | null;
  onChoose(quality: Quality): void;
}

/**
 * The viewer's picture quality (issue 20): Auto (hls.js picks by bandwidth) or one rendition.
 * A WAI-ARIA menu button with radio items: arrows move, Escape closes and returns the focus,
 * a click outside closes. Opens upwards: the bar sits at the bottom of the picture.
 */
export function QualityMenu({ qualities, quality, playingHeight, onChoose }: Props) {
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const { open, setOpen, close } = usePopover(button, root);

  useEffect(() => {
    if (!open) return;
    const items = root.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]');
    const checked = root.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (checked ?? items?.[0])?.focus();
  }, [open]);

  if (qualities.length < 2) return null;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) return close();
    if (e.key === 'Tab') return setOpen(false);
    if (!open || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    e.preventDefault();
    const all = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const next = (at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length;
    all[next]?.focus();
  };

  const choices: { value: Quality; label: string }[] = [
    { value: 'auto', label: playingHeight ? `Auto (${playingHeight}p now)` : 'Auto' },
    ...qualities.map((h) => ({ value: h, label: `${h}p` })),
  ];
  return (
    <div class="quality-menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Quality: {qualityLabel(quality, playingHeight)}
      </button>
      {open && (
        <div role="menu" aria-label="Quality" class="quality-list">
          {choices.map((c) => (
            <button
              key={String(c.value)}
              type="button"
              role="menuitemradio"
              aria-checked={c.value === quality}
              onClick={() => {
                close();
                onChoose(c.value);
              }}
            >
              {c.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
