import type { TileAction } from '../call/features/moderation/lobbyState.ts';
import { tileMenu } from '../call/features/moderation/lobbyState.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { handPosition } from '../call/features/classroom/Classroom.ts';
import { TileMenu } from './TileMenu.tsx';
import { personState } from './people.ts';
import type { Person } from './people.ts';

interface Props {
  snap: CallSnapshot;
  /** A host control chosen beside someone (hosts and co-hosts); absent for guests. */
  onAction?: ((peerId: string, action: TileAction) => void) | undefined;
  onClose(): void;
}

/** Ourselves first, then everyone else in the order they joined. */
export function peopleOf(snap: CallSnapshot): Person[] {
  const hand = (peerId: string | null) => handPosition(snap.hands, peerId);
  return [
    {
      peerId: null,
      name: snap.name,
      role: snap.role,
      media: { audio: snap.local.audioOn, video: snap.local.videoOn, screen: snap.sharing },
      hand: hand(snap.selfId),
    },
    ...snap.peers.map((p) => ({
      peerId: p.peerId,
      name: p.name,
      role: p.role,
      media: p.media,
      hand: hand(p.peerId),
    })),
  ];
}

/**
 * Everyone in the call (issue 19): name, role, microphone and camera, a raised hand, and for
 * hosts and co-hosts the same controls as on the person's tile, for tiles off the page too.
 */
export function PeoplePanel({ snap, onAction, onClose }: Props) {
  const people = peopleOf(snap);
  return (
    <section id="people-panel" class="panel people" aria-labelledby="people-title">
      <header class="panel-head">
        <h2 id="people-title">
          People <span class="badge count">{people.length}</span>
        </h2>
        <button type="button" class="secondary" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <ul class="people-list">
        {people.map((person) => {
          const peer = person.peerId && snap.peers.find((p) => p.peerId === person.peerId);
          const menu = peer && onAction ? tileMenu(snap.role, peer, snap.settings.selfUnmute) : [];
          const state = personState(person);
          return (
            <li key={person.peerId ?? 'self'} class="person" data-person={person.name}>
              <span class="person-initial" aria-hidden="true">
                {person.name.trim().charAt(0).toUpperCase() || '?'}
              </span>
              <span class="person-text">
                <span class="person-name">
                  {person.name}
                  {person.peerId === null && ' (you)'}
                </span>
                {state && <span class="person-state muted">{state}</span>}
              </span>
              {person.peerId && menu.length > 0 && onAction && (
                <TileMenu
                  name={person.name}
                  items={menu}
                  onAction={(action) => onAction(person.peerId as string, action)}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
