import { useEffect, useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';

/** Re-renders on every snapshot the controller publishes. */
export function useCallSnapshot(controller: CallController): CallSnapshot {
  const [snap, setSnap] = useState(controller.snapshot);
  useEffect(() => controller.subscribe(setSnap), [controller]);
  return snap;
}
