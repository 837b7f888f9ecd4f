import { useEffect, useState } from 'preact/hooks';

/**
 * Where to put a popup that opens above a toolbar button: on the screen (position: fixed),
 * since on a phone the toolbar scrolls sideways and a box inside it would be cut off. It
 * follows the button as the page or the toolbar scrolls, and stays on the screen near its
 * edges. null until placed (render it hidden meanwhile).
 */
export function useFixedAbove(
  button: { current: HTMLElement | null },
  open: boolean,
  halfWidth: number,
): { left: number; bottom: number } | null {
  const [at, setAt] = useState<{ left: number; bottom: number } | null>(null);
  useEffect(() => {
    if (!open) return;
    const place = () => {
      const r = button.current?.getBoundingClientRect();
      if (!r) return;
      const half = Math.min(window.innerWidth / 2 - 8, halfWidth);
      const centre = r.left + r.width / 2;
      const left = Math.min(Math.max(centre, half + 8), window.innerWidth - half - 8);
      setAt({ left, bottom: window.innerHeight - r.top + 6 });
    };
    place();
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    };
  }, [open, button, halfWidth]);
  return at;
}
