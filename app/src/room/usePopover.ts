import { useEffect, useState } from 'preact/hooks';
import type { RefObject } from 'preact';

export interface Popover {
  open: boolean;
  setOpen(open: boolean): void;
  /** Closes it and gives the focus back to its button (Escape, Done, a menu item). */
  close(): void;
}

/**
 * A popup opened by a button (Devices, View, a tile's menu): closed at first, and closed by a
 * pointer-down anywhere but on the button or inside `panel`. Opening moves no focus and
 * Escape is not handled here: each popup does those its own way.
 */
export function usePopover(button: RefObject<HTMLElement>, panel: RefObject<HTMLElement>): Popover {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open, button, panel]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return { open, setOpen, close };
}
