import { useState } from 'preact/hooks';
import { safeGet, safeSet } from '../api.ts';
import type { View } from './layout.ts';

const VIEW_KEY = 'parley.view';
const SELF_VIEW_KEY = 'parley.selfView';

export interface LayoutPrefs {
  /** Default 'grid' (a shared screen still takes the stage). */
  view: View;
  setView(view: View): void;
  /** Default false: we see ourselves. */
  selfHidden: boolean;
  setSelfHidden(hidden: boolean): void;
}

/** The call's view and self view, remembered on this device (localStorage). */
export function useLayoutPrefs(): LayoutPrefs {
  const [view, setViewState] = useState<View>(() =>
    safeGet(VIEW_KEY) === 'speaker' ? 'speaker' : 'grid',
  );
  const [selfHidden, setSelfHiddenState] = useState(() => safeGet(SELF_VIEW_KEY) === 'hidden');
  return {
    view,
    setView: (next) => {
      safeSet(VIEW_KEY, next);
      setViewState(next);
    },
    selfHidden,
    setSelfHidden: (hidden) => {
      safeSet(SELF_VIEW_KEY, hidden ? 'hidden' : 'shown');
      setSelfHiddenState(hidden);
    },
  };
}
