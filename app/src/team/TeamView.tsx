import type { TeamController } from './TeamController.ts';
import type { TeamSnapshot } from './teamState.ts';
import { isAdmin, talkingSummary } from './teamState.ts';
import { ChannelList, ChannelNameForm } from './ChannelList.tsx';
import { HoldToTalk } from './HoldToTalk.tsx';
import { PeopleList } from './PeopleList.tsx';
import { WaitingRoomPanel } from '../room/WaitingRoomPanel.tsx';
import type { LobbyWords } from '../room/WaitingRoomPanel.tsx';
import '../room/moderation.css';

interface Props {
  controller: TeamController;
  snap: TeamSnapshot;
}

const APPROVAL_WORDS: LobbyWords = {
  title: 'Waiting for approval',
  admit: 'Let in',
  deny: 'Turn away',
  admitAll: 'Let everyone in',
};

/**
 * In the team: status, newcomers waiting (admins), channels, the admin's Add channel, the
 * people here, and the Hold to talk button.
 */
export function TeamView({ controller, snap }: Props) {
  const summary = talkingSummary(snap);
  const admin = isAdmin(snap.role);
  return (
    <div class="team-view">
      {snap.phase === 'reconnecting' && (
        <p role="status" class="warn">
          Reconnecting…
        </p>
      )}
      {/* Screen readers hear who starts and stops talking. */}
      <p class="talking-now" aria-live="polite">
        {summary || 'Nobody is talking.'}
      </p>
      <p class="notice" role="status">
        {snap.notice ?? ''}
      </p>
      {admin && (snap.lobby.length > 0 || snap.settings?.requireApproval) && (
        <WaitingRoomPanel
          waiting={snap.lobby}
          moderation={controller.people}
          words={APPROVAL_WORDS}
        />
      )}
      <ChannelList channels={controller.channels} snap={snap} />
      {admin && (
        <section class="add-channel" aria-label="Add a channel">
          <ChannelNameForm
            label="New channel"
            submit="Add channel"
            onSubmit={(name) => controller.channels.add(name)}
          />
        </section>
      )}
      <PeopleList people={controller.people} snap={snap} />
      <HoldToTalk floor={controller.floor} snap={snap} />
    </div>
  );
}
