import type { RaisedHand } from '@parley/protocol';
import type { Classroom } from '../call/features/classroom/Classroom.ts';
import { background } from '../util/background.ts';

interface Props {
  hands: RaisedHand[];
  classroom: Pick<Classroom, 'lower'>;
  onClose(): void;
}

/** Hosts and co-hosts: the raised hands in the order they went up, each with Lower. */
export function HandsPanel({ hands, classroom, onClose }: Props) {
  return (
    <section id="hands-panel" class="panel hands" aria-labelledby="hands-title">
      <header class="panel-head">
        <h2 id="hands-title">
          Raised hands <span class="badge">{hands.length}</span>
        </h2>
        <button type="button" class="secondary" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {hands.length === 0 ? (
        <p class="muted">No hands are up.</p>
      ) : (
        <>
          <ol class="hands-list">
            {hands.map((h) => (
              <li key={h.peerId} class="hands-item">
                <span class="hands-name">{h.name}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => background(classroom.lower(h.peerId), 'lower a hand')}
                >
                  Lower {h.name}’s hand
                </button>
              </li>
            ))}
          </ol>
          <button type="button" onClick={() => background(classroom.lower(), 'lower all hands')}>
            Lower all hands
          </button>
        </>
      )}
    </section>
  );
}
