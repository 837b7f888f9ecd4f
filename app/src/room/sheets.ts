import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

/**
 * Phones, upright or on their side: the call's controls are pinned to the screen's bottom edge
 * and the side panels (chat, people, polls...) open as one sheet over the call instead of below
 * it (issue 19). The same query as the `@media` rules in styles.css and moderation.css.
 */
export const PHONE_LAYOUT = '(max-width: 600px), (max-height: 500px)';

export function isPhoneLayout(): boolean {
  return window.matchMedia(PHONE_LAYOUT).matches;
}

/**
 * The element's height in CSS pixels, kept up to date as it changes (the toolbar gets taller
 * on a touch screen, or when a notice wraps); 0 until measured.
 */
export function useHeight(ref: RefObject<HTMLElement>): number {
  const [height, setHeight] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.getBoundingClientRect().height));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}
