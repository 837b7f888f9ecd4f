import { useEffect, useRef } from 'preact/hooks';
import { shortcutFor } from './shortcuts.ts';
import type { ShortcutAction } from './shortcuts.ts';

/** The focus is where typing goes: a `?` there is a character, not a shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Runs the call's keyboard shortcuts (shortcuts.ts) while mounted. Not while a modal dialog
 * asks something: its question comes first. The handlers may change every render.
 */
export function useShortcuts(handlers: Record<ShortcutAction, () => void>): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat || document.querySelector('dialog[open]')) return;
      const action = shortcutFor(e, isTyping(e.target));
      if (!action) return;
      e.preventDefault();
      current.current[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
