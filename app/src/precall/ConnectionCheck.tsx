import { useEffect, useRef, useState } from 'preact/hooks';
import { background } from '../util/background.ts';
import { runCheck } from './runCheck.ts';
import type { CheckSource } from './runCheck.ts';
import { verdict } from './verdict.ts';
import type { Verdict } from './verdict.ts';
import './connectionCheck.css';

/** The quick part starts this long after the pre-join opens: camera and socket first. */
const QUICK_DELAY_MS = 1500;

type State =
  | { phase: 'idle' }
  | { phase: 'running'; full: boolean }
  | { phase: 'done'; full: boolean; verdict: Verdict };

/**
 * The pre-join connection check (issue 20). A quick part runs by itself (server, relay
 * addresses, media server) and shows one sentence; "Test my connection" runs the full check
 * (data through the relay, upload speed) and lists what it found. The result is a live region,
 * so a screen reader hears it when it arrives.
 */
export function ConnectionCheck({ source }: { source: CheckSource }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const running = useRef(false);
  const mounted = useRef(true);

  /** "Test my connection" pressed while the quick part runs: the full check follows it. */
  const fullNext = useRef(false);

  const run = async (full: boolean): Promise<void> => {
    if (running.current) {
      if (full) {
        fullNext.current = true;
        setState({ phase: 'running', full: true });
      }
      return;
    }
    running.current = true;
    setState({ phase: 'running', full });
    try {
      const results = await runCheck(source, full);
      if (mounted.current && !fullNext.current) {
        setState({ phase: 'done', full, verdict: verdict(results) });
      }
    } finally {
      running.current = false;
    }
    if (fullNext.current && mounted.current) {
      fullNext.current = false;
      await run(true);
    }
  };
  useEffect(() => {
    const timer = setTimeout(
      () => background(run(false), 'quick connection check'),
      QUICK_DELAY_MS,
    );
    return () => {
      mounted.current = false;
      clearTimeout(timer);
    };
  }, []);

  // Only the full test makes the button busy: pressed during the quick part, it queues the full
  // test after it (fullNext). Ignoring that press left the person with the quick part's answer.
  const testing = state.phase === 'running' && state.full;
  return (
    <div class="net-check">
      <button
        type="button"
        aria-disabled={testing}
        aria-describedby="net-check-result"
        onClick={() => {
          if (!testing) background(run(true), 'connection check');
        }}
      >
        {testing ? 'Testing your connection…' : 'Test my connection'}
      </button>
      <div id="net-check-result" class="net-check-result" role="status" aria-live="polite">
        {state.phase === 'running' && !state.full && <p class="muted">Checking your connection…</p>}
        {state.phase === 'done' && (
          <>
            <p class={`net-check-verdict tone-${state.verdict.tone}`}>{state.verdict.suggestion}</p>
            {state.full && (
              <ul class="net-check-lines" aria-label="Connection test results">
                {state.verdict.lines.map((l) => (
                  <li key={l.label} class={`tone-${l.tone}`}>
                    <span class="net-check-label">{l.label}:</span> {l.text}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </div>
  );
}
