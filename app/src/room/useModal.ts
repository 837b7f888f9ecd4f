import { useEffect, useRef } from 'preact/hooks';
import type { RefObject } from 'preact';

/**
 * A `<dialog>` shown modally while mounted; on unmount it closes and the focus goes back where
 * it was when it opened (unless that element is gone, like a menu that closed).
 */
export function useModal(): RefObject<HTMLDialogElement> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
      if (before?.isConnected) before.focus();
    };
  }, []);
  return dialog;
}
