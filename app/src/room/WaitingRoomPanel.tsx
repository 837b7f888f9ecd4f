import { useEffect, useState } from 'preact/hooks';
import type { WaitingPeer } from '@parley/protocol';
import type { Moderation } from '../call/features/moderation/Moderation.ts';
import { removedMark, waitedFor } from '../call/features/moderation/lobbyState.ts';
import { background } from '../util/background.ts';

/** What the panel's buttons do: the meeting's Moderation, or a team's admin controls. */
export type LobbyActions = Pick<Moderation, 'admit' | 'deny' | 'admitAll'>;

/** The panel's words: a meeting's waiting room, or a team's newcomers waiting for approval. */
export interface LobbyWords {
  title: string;
  admit: string;
  deny: string;
  admitAll: string;
}

const MEETING_WORDS: LobbyWords = {
  title: 'Waiting room',
  admit: 'Admit',
  deny: 'Deny',
  admitAll: 'Admit all',
};

interface Props {
  waiting: WaitingPeer[];
  moderation: LobbyActions;
  /** Default: the meeting's ("Waiting room", Admit, Deny). */
  words?: LobbyWords;
  /** Shows a close button (the meeting's side panel); without it the panel stays. */
  onClose?(): void;
}

/** Re-renders every `ms` so "waiting 3 min" stays true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Hosts and co-hosts: who waits to be let in, with Admit / Deny each and Admit all. */
export function WaitingRoomPanel({ waiting, moderation, words = MEETING_WORDS, onClose }: Props) {
  const now = useNow(15_000);
  return (
    <section id="lobby-panel" class="panel lobby" aria-labelledby="lobby-title">
      <header class="panel-head">
        <h2 id="lobby-title">
          {words.title} <span class="badge">{waiting.length}</span>
        </h2>
        {onClose && (
          <button type="button" class="secondary" aria-label="Close" onClick={onClose}>
            ×
          </button>
        )}
      </header>
      {waiting.length === 0 ? (
        <p class="muted">Nobody is waiting.</p>
      ) : (
        <>
          <ul class="lobby-list">
            {waiting.map((w) => (
              <li key={w.peerId} class="lobby-item">
                <span class="lobby-name" id={`lobby-${w.peerId}`}>
                  {w.name}
                  {removedMark(w) && <span class="lobby-flag">, {removedMark(w)}</span>}
                </span>
                <span class="muted lobby-since">waiting {waitedFor(w.since, now)}</span>
                <span class="row">
                  <button
                    type="button"
                    class="primary"
                    aria-describedby={`lobby-${w.peerId}`}
                    onClick={() => background(moderation.admit(w.peerId), 'admitting')}
                  >
                    {words.admit}
                  </button>
                  <button
                    type="button"
                    aria-describedby={`lobby-${w.peerId}`}
                    onClick={() => background(moderation.deny(w.peerId), 'turning away')}
                  >
                    {words.deny}
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {waiting.length > 1 && (
            <button
              type="button"
              onClick={() => background(moderation.admitAll(), 'admitting everyone')}
            >
              {words.admitAll}
            </button>
          )}
          {waiting.length > 1 && waiting.some((w) => w.previouslyRemoved) && (
            <p class="muted hint">
              {words.admitAll} passes over anyone marked previously removed: let them in one by one.
            </p>
          )}
        </>
      )}
    </section>
  );
}
