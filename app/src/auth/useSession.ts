import { useEffect, useState } from 'preact/hooks';
import { session } from './session.ts';
import type { Session } from './session.ts';

/** The signed-in session (null: a guest), re-rendering when it changes; `restoring` on load. */
export function useSession(): { current: Session | null; restoring: boolean } {
  const read = () => ({ current: session.current, restoring: session.restoring });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = () => setState(read());
    update();
    return session.subscribe(update);
  }, []);
  return state;
}
