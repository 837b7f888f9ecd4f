import { useEffect, useMemo, useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import { loadHostKey, saveName, savedName } from '../api.ts';
import { session } from '../auth/session.ts';
import { useSession } from '../auth/useSession.ts';
import { browserDeviceId } from '../call/session/Admission.ts';
import type { JoinCredentials } from '../call/session/Admission.ts';
import { navigate } from '../router.ts';
import { ShareLink } from '../room/ShareLink.tsx';
import { OfflineBanner } from '../ui/OfflineBanner.tsx';
import { useOnline } from '../ui/useOnline.ts';
import { background } from '../util/background.ts';
import { TeamController } from './TeamController.ts';
import type { TeamSnapshot } from './teamState.ts';
import { removalMessage } from './teamState.ts';
import { TeamView } from './TeamView.tsx';
import { installTeamDebugHook } from './teamDebugHook.ts';
import './team.css';

/** Who we are to the server: the creator's host key (admin), this browser, the signed-in user. */
function credentials(teamId: string): JoinCredentials {
  return {
    hostKey: loadHostKey(teamId),
    deviceId: browserDeviceId(),
    accessToken: () => session.accessToken(),
    refreshAccessToken: async () => (await session.refresh())?.accessToken ?? null,
  };
}

function useTeamSnapshot(controller: TeamController): TeamSnapshot {
  const [snap, setSnap] = useState(controller.snapshot);
  useEffect(() => controller.subscribe(setSnap), [controller]);
  return snap;
}

/** `/t/<teamId>`: a name, then the team's channels and the Hold to talk button. Lazy-loaded. */
export function TeamPage({ teamId }: { teamId: string }) {
  const controller = useMemo(() => new TeamController(teamId, credentials(teamId)), [teamId]);
  const snap = useTeamSnapshot(controller);
  const online = useOnline();
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    background(
      controller.lookUp().then((found) => setMissing(!found)),
      'looking the team up',
    );
    const removeHook = installTeamDebugHook(controller);
    return () => {
      removeHook();
      controller.dispose();
    };
  }, [controller]);

  return (
    <main class="page team">
      {!online && <OfflineBanner reason="The team needs a connection to talk and listen." />}
      <header class="team-header">
        <a
          href="/"
          class="brand"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          Parley
        </a>
        <h1>{snap.teamName || 'Team'}</h1>
      </header>
      {missing && (
        <p role="alert" class="error">
          There is no team at this link.
        </p>
      )}
      {!missing && (snap.phase === 'prejoin' || snap.phase === 'joining') && (
        <NamePrompt controller={controller} snap={snap} online={online} />
      )}
      {snap.phase === 'waiting' && <TeamWaiting controller={controller} snap={snap} />}
      {(snap.phase === 'in-team' || snap.phase === 'reconnecting') && (
        <TeamView controller={controller} snap={snap} />
      )}
      {snap.phase === 'removed' && snap.removal && (
        <section class="notice-page">
          <p role="alert" class="removed">
            {removalMessage(snap.removal)}
          </p>
          <button type="button" class="primary" onClick={() => navigate('/')}>
            Back to home
          </button>
        </section>
      )}
      {snap.phase === 'failed' && (
        <section class="notice-page">
          <p role="alert" class="error">
            {snap.error}
          </p>
          <button type="button" onClick={() => navigate('/')}>
            Back to home
          </button>
        </section>
      )}
      {/* Shared by members; a newcomer still waiting has nothing to share yet. */}
      {!['failed', 'removed', 'waiting'].includes(snap.phase) && !missing && (
        <ShareLink roomId={teamId} prefix="/t/" label="Team link" />
      )}
    </main>
  );
}

interface PromptProps {
  controller: TeamController;
  snap: TeamSnapshot;
  online: boolean;
}

/** The name the others see, remembered from the last room or team. */
function NamePrompt({ controller, snap, online }: PromptProps) {
  const { current } = useSession();
  const [name, setName] = useState(() => savedName() ?? current?.user.name ?? '');
  const joining = snap.phase === 'joining';
  const canJoin = name.trim() !== '' && !joining && online;
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!canJoin) return;
    saveName(name.trim());
    controller.join(name);
  };
  return (
    <form class="name-prompt" onSubmit={onSubmit}>
      <label for="your-name">Your name</label>
      <input
        id="your-name"
        type="text"
        autoComplete="nickname"
        required
        maxLength={LIMITS.NAME_MAX}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit" class="primary big" disabled={!canJoin}>
        {joining ? 'Joining…' : 'Join the team'}
      </button>
    </form>
  );
}

/** Held in the waiting room: what we wait for, our place in line, and a way out. */
function TeamWaiting({ controller, snap }: { controller: TeamController; snap: TeamSnapshot }) {
  return (
    <section class="team-waiting" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Waiting for an admin to let you in</h2>
      <p role="status">
        This team lets newcomers in one by one. You are number {snap.waitingPosition ?? 1} in line;
        the team opens here as soon as an admin lets you in.
      </p>
      <button
        type="button"
        onClick={() => {
          controller.leave();
          navigate('/');
        }}
      >
        Leave
      </button>
    </section>
  );
}
