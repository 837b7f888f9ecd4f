import type { TeamController } from './TeamController.ts';
import type { TeamSnapshot } from './teamState.ts';
import { isAdmin, talkingSummary } from './teamState.ts';
import { ChannelList, ChannelNameForm } from './ChannelList.tsx';
import { HoldToTalk } from './HoldToTalk.tsx';

interface Props {
  controller: TeamController;
  snap: TeamSnapshot;
}

/** In the team: status, channels, the admin's Add channel, and the Hold to talk button. */
export function TeamView({ controller, snap }: Props) {
  const summary = talkingSummary(snap);
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
      <p class="floor-reason" role="status" data-reason={snap.reason ?? ''}>
        {snap.reason ?? ''}
      </p>
      {snap.notice && <p class="notice">{snap.notice}</p>}
      <ChannelList channels={controller.channels} snap={snap} />
      {isAdmin(snap.role) && (
        <section class="add-channel" aria-label="Add a channel">
          <ChannelNameForm
            label="New channel"
            submit="Add channel"
            onSubmit={(name) => controller.channels.add(name)}
          />
        </section>
      )}
      <HoldToTalk floor={controller.floor} snap={snap} />
    </div>
  );
}
