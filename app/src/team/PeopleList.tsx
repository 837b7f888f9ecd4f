import type { Role } from '@parley/protocol';
import { background } from '../util/background.ts';
import { isAdminRole, personActions } from './people.ts';
import type { TeamPeople } from './TeamPeople.ts';
import type { Person, TeamSnapshot } from './teamState.ts';
import { isAdmin, talkingOn } from './teamState.ts';

interface Props {
  people: TeamPeople;
  snap: TeamSnapshot;
}

/**
 * Everyone in the team room now, us first: name, an "admin" badge, the channel they talk on.
 * Admins get the controls the server allows them over each person (see people.ts).
 */
export function PeopleList({ people, snap }: Props) {
  const self: Person | null = snap.selfId
    ? { peerId: snap.selfId, name: snap.names[snap.selfId] ?? 'You', role: snap.role ?? 'guest' }
    : null;
  const everyone = self ? [self, ...snap.people] : snap.people;
  return (
    <section class="people" aria-labelledby="people-title">
      <h2 id="people-title">
        People <span class="muted">({everyone.length})</span>
      </h2>
      <ul class="people-list">
        {everyone.map((p) => (
          <PersonRow
            key={p.peerId}
            person={p}
            isSelf={p.peerId === snap.selfId}
            people={people}
            snap={snap}
          />
        ))}
      </ul>
    </section>
  );
}

interface RowProps extends Props {
  person: Person;
  isSelf: boolean;
}

function PersonRow({ person, isSelf, people, snap }: RowProps) {
  const channel = talkingOn(snap, person.peerId);
  const actions = isSelf ? null : personActions(snap.role, person.role);
  // The server lets any admin end anyone's turn (no target rule, unlike remove).
  const endTurn = isAdmin(snap.role) && channel !== null && !isSelf;
  const hasButtons = endTurn || (actions && Object.values(actions).some(Boolean));
  const nameId = `person-${person.peerId}`;
  const act = (work: Promise<boolean>, what: string) => background(work, what);
  return (
    <li class={`person${channel ? ' live' : ''}`} data-person={person.name}>
      <div class="person-head">
        <span class="person-name" id={nameId}>
          {person.name}
          {isSelf && <span class="muted"> (you)</span>}
        </span>
        {isAdminRole(person.role) && <AdminBadge role={person.role} />}
        {channel && <span class="person-talking">talking on {channel.name}</span>}
      </div>
      {hasButtons && (
        <div class="row person-actions">
          {endTurn && (
            <button
              type="button"
              class="danger"
              onClick={() => act(people.endTurn(person.peerId), 'ending a turn')}
            >
              End {person.name}'s turn
            </button>
          )}
          {actions?.makeAdmin && (
            <button
              type="button"
              class="secondary"
              onClick={() => act(people.setAdmin(person.peerId, true), 'making an admin')}
            >
              Make {person.name} admin
            </button>
          )}
          {actions?.removeAdmin && (
            <button
              type="button"
              class="secondary"
              onClick={() => act(people.setAdmin(person.peerId, false), 'removing an admin')}
            >
              Remove {person.name} as admin
            </button>
          )}
          {actions?.remove && (
            <button
              type="button"
              class="secondary"
              aria-label={`Remove ${person.name} from the team`}
              onClick={() => act(people.remove(person.peerId), 'removing someone')}
            >
              Remove
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function AdminBadge({ role }: { role: Role }) {
  return (
    <span class="admin-badge" title={role === 'host' ? 'Created the team' : undefined}>
      admin
    </span>
  );
}
