import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { isModerator } from '../call/features/moderation/lobbyState.ts';
import type { TileAction } from '../call/features/moderation/lobbyState.ts';
import { CallLayout } from './Stage.tsx';
import { ViewMenu } from './ViewMenu.tsx';
import { useLayoutPrefs } from './layoutPrefs.ts';
import { AudioSink } from './Video.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { DeviceMenu } from './DeviceMenu.tsx';
import { ScreenShareControls } from './ScreenShareControls.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { WaitingRoomPanel } from './WaitingRoomPanel.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { EndMeeting } from './EndMeeting.tsx';
import { LeaveButton } from './LeaveButton.tsx';
import { PeoplePanel } from './PeoplePanel.tsx';
import { useKnockSound, usePresenceNotice } from './usePresence.ts';
import { ShortcutsHelp } from './ShortcutsHelp.tsx';
import { ariaKeys } from './shortcuts.ts';
import { useShortcuts } from './useShortcuts.ts';
import { canShareScreen } from '../call/local/media.ts';
import { ClassButtons } from './ClassButtons.tsx';
import { HandsPanel } from './HandsPanel.tsx';
import { PollPanel } from './PollPanel.tsx';
import { handPosition } from '../call/features/classroom/Classroom.ts';
import { BroadcastControls } from '../watch/BroadcastControls.tsx';
import { RecordButton, RecordingBadge } from './RecordingControls.tsx';
import { withToken } from '../watch/watchApi.ts';
import { useViewerCount } from '../watch/useViewerCount.ts';
import { people, usePageTitle } from '../ui/usePageTitle.ts';
import { BoardStage } from './BoardStage.tsx';
import { tilesOf } from './tiles.ts';
import { useOpenOnArrival, usePollOpen, useUnread } from './usePanels.ts';
import { isPhoneLayout, useHeight } from './sheets.ts';
import './moderation.css';
import { background } from '../util/background.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

export function CallView({ controller, snap }: Props) {
  const onSeen = useCallback(
    (key: string, seen: { visible: boolean; width: number } | null) =>
      controller.tileSeen(key, seen),
    [controller],
  );
  const onAction = useCallback(
    (peerId: string, action: TileAction) =>
      background(controller.moderation.tileAction(peerId, action), `tile action ${action}`),
    [controller],
  );
  const moderator = isModerator(snap.role);
  const waiting = moderator ? snap.lobby.length : 0;
  const [lobbyOpen, setLobbyOpen] = useOpenOnArrival(waiting);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [handsOpen, setHandsOpen] = useOpenOnArrival(moderator ? snap.hands.length : 0);
  const [pollOpen, setPollOpen] = usePollOpen(snap.poll);
  // Open beside the call on a laptop; on a phone it would cover the call, so it waits for Chat.
  const [chatOpen, setChatOpen] = useState(() => !isPhoneLayout());
  const [peopleOpen, setPeopleOpen] = useState(false);
  const presence = usePresenceNotice(snap.chat);
  const viewers = useViewerCount(snap.broadcastId, snap.watchToken, snap.live && moderator);
  useKnockSound(waiting, moderator);
  // The call starts at the top of the page: the pre-join screen may have been scrolled down to
  // its Join button, and the tiles above would open out of view (and, on the SFU, paused).
  useEffect(() => window.scrollTo(0, 0), []);
  const unread = useUnread(snap.chat, chatOpen);
  // "(2) 3 people - Weekly sync" while two wait to be let in: a notice that needs no sound.
  usePageTitle(
    `${waiting > 0 ? `(${waiting}) ` : ''}${people(snap.peers.length + 1)} - ${snap.title ?? 'Parley'}`,
  );
  const status = snap.phase === 'reconnecting' ? (snap.notice ?? 'Reconnecting…') : snap.status;
  const chatOff = !snap.settings.chat && !moderator;
  const [helpOpen, setHelpOpen] = useState(false);
  const raised = handPosition(snap.hands, snap.selfId) !== null;
  const layout = useLayoutPrefs();
  // On a phone the panels' sheet sits just above the pinned controls, whatever their height.
  const controls = useRef<HTMLDivElement>(null);
  const controlsHeight = useHeight(controls);
  // ...and the page can scroll what the sheet covers (a host's controls) up above it.
  const sheet = useRef<HTMLDivElement>(null);
  const sheetHeight = useHeight(sheet);
  useShortcuts({
    mic: () => controller.toggle('audio'),
    camera: () => controller.toggle('video'),
    share: () => {
      if (snap.sharing) background(controller.stopScreenShare(), 'stopping the screen share');
      else if (canShareScreen() && (snap.settings.screenShare || moderator))
        background(controller.startScreenShare(), 'starting the screen share');
    },
    hand: () => background(controller.classroom.setHand(!raised), 'hand'),
    chat: () => setChatOpen(!chatOpen),
    help: () => setHelpOpen(true),
  });
  return (
    <div
      class="call"
      data-mode={snap.mode}
      data-board={snap.boardOpen ? 'open' : undefined}
      style={{ '--controls-h': `${controlsHeight}px`, '--sheet-h': `${sheetHeight}px` }}
    >
      <h1 class="visually-hidden">In the meeting</h1>
      {snap.broadcastNotice && (
        <div class="banner banner-warn" role="alert">
          {snap.broadcastNotice}
        </div>
      )}
      {snap.recordingNotice && (
        <div class="banner banner-warn" role="alert">
          {snap.recordingNotice}
        </div>
      )}
      {status && (
        <div class="banner banner-warn" role="status">
          {status}
        </div>
      )}
      {snap.selfVideoPaused || snap.incomingVideoPaused ? (
        <div class="self-quality" role="status">
          {videoPausedText(snap.selfVideoPaused, snap.incomingVideoPaused)}
        </div>
      ) : (
        snap.selfQuality &&
        snap.selfQuality.quality !== 'fair' && (
          // Told to the person whose connection it is; the others see it on this person's tile.
          <div class="self-quality" role="status">
            {snap.selfQuality.text}
          </div>
        )
      )}
      {snap.hostNotice && (
        <div class="banner banner-info" role="alert">
          <span>{snap.hostNotice}</span>
          <button type="button" onClick={() => controller.moderation.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      {moderator && (
        // Always in the page, so screen readers announce what appears in it.
        <div class={snap.lobbyNotice ? 'banner banner-info' : 'visually-hidden'} role="status">
          {snap.lobbyNotice}
        </div>
      )}
      {/* Always in the page, so screen readers announce what appears in it. */}
      <div class={presence ? 'toast' : 'visually-hidden'} role="status">
        {presence}
      </div>
      {snap.boardOpen && <BoardStage controller={controller} snap={snap} />}
      <CallLayout
        tiles={tilesOf(controller, snap)}
        epoch={snap.streamEpoch}
        onSeen={onSeen}
        onAction={moderator ? onAction : undefined}
        speaker={snap.speaker}
        prefs={layout}
        board={snap.boardOpen}
      />
      <div class="sinks" aria-hidden="true">
        {snap.peers.map((p) => (
          <AudioSink
            key={p.peerId}
            stream={controller.remoteStream(p.peerId, 'camera')}
            epoch={snap.streamEpoch}
          />
        ))}
        {snap.peers.map(
          // A shared tab's or system's sound, where the sharer's browser captured one.
          (p) =>
            p.media.screen && (
              <AudioSink
                key={`${p.peerId}/screen`}
                stream={controller.remoteStream(p.peerId, 'screen')}
                epoch={snap.streamEpoch}
              />
            ),
        )}
      </div>
      <div ref={controls} class="controls" role="toolbar" aria-label="Call controls">
        <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        <DeviceMenu controller={controller} snap={snap} />
        <ScreenShareControls controller={controller} snap={snap} />
        <ViewMenu
          prefs={layout}
          audioOnly={{ on: snap.audioOnly, set: (on) => controller.audioOnly.set(on) }}
        />
        <ClassButtons classroom={controller.classroom} raised={raised} />
        {(moderator || snap.poll) && (
          <button
            type="button"
            aria-expanded={pollOpen}
            aria-controls="poll-panel"
            onClick={() => setPollOpen(!pollOpen)}
          >
            {moderator ? 'Polls' : 'Poll'}
            {!moderator && snap.poll?.state === 'open' && snap.poll.myChoices === null && (
              <>
                {' '}
                <span class="badge" aria-hidden="true">
                  !
                </span>
                <span class="visually-hidden">(not answered yet)</span>
              </>
            )}
          </button>
        )}
        <button
          type="button"
          aria-expanded={peopleOpen}
          aria-controls="people-panel"
          onClick={() => setPeopleOpen(!peopleOpen)}
        >
          People <span class="badge count">{snap.peers.length + 1}</span>
        </button>
        <button
          type="button"
          aria-expanded={chatOpen}
          aria-controls="chat-panel"
          aria-keyshortcuts={ariaKeys('chat')}
          onClick={() => setChatOpen(!chatOpen)}
        >
          Chat
          {unread > 0 && (
            <>
              {' '}
              <span class="badge">{unread}</span>
              <span class="visually-hidden"> new</span>
            </>
          )}
        </button>
        <button
          type="button"
          aria-pressed={snap.boardOpen}
          onClick={() => controller.board.setOpen(!snap.boardOpen)}
        >
          Whiteboard
        </button>
        {!moderator && (
          // Guests see whether the room is on air; its switch is in the host controls.
          <BroadcastControls
            live={snap.live}
            isHost={false}
            onToggle={() => undefined}
            watchUrl={null}
          />
        )}
        <RecordingBadge since={snap.recordingSince} />
        <button
          type="button"
          class="shortcuts-button"
          aria-label="Keyboard shortcuts"
          aria-keyshortcuts={ariaKeys('help')}
          title="Keyboard shortcuts (?)"
          onClick={() => setHelpOpen(true)}
        >
          ?
        </button>
        {helpOpen && <ShortcutsHelp onClose={() => setHelpOpen(false)} />}
        <LeaveButton controller={controller} snap={snap} />
      </div>
      <aside class="side">
        {moderator && (
          // Beside the call, not in its toolbar: with them, a host's toolbar wrapped to three
          // rows on a laptop and pushed Leave below the fold (issue 19).
          <div class="host-controls" role="toolbar" aria-label="Host controls">
            <BroadcastControls
              live={snap.live}
              isHost={snap.role === 'host'}
              busy={snap.broadcastBusy}
              onToggle={(live) =>
                background(controller.setBroadcast(live), 'switching the broadcast')
              }
              watchUrl={
                snap.broadcastId &&
                withToken(`${location.origin}/watch/${snap.broadcastId}`, snap.watchToken)
              }
              viewers={viewers}
            />
            {(snap.role === 'host' || snap.settings.cohostsRecord) && (
              <RecordButton
                recording={snap.recordingSince !== null}
                busy={snap.recordingBusy}
                onToggle={(on) => background(controller.recording.set(on), 'switching recording')}
              />
            )}
            <button
              type="button"
              aria-expanded={lobbyOpen}
              aria-controls="lobby-panel"
              onClick={() => setLobbyOpen(!lobbyOpen)}
            >
              Waiting room{waiting > 0 && ' '}
              {waiting > 0 && <span class="badge">{waiting}</span>}
            </button>
            <button
              type="button"
              aria-expanded={handsOpen}
              aria-controls="hands-panel"
              onClick={() => setHandsOpen(!handsOpen)}
            >
              Raised hands{snap.hands.length > 0 && ' '}
              {snap.hands.length > 0 && <span class="badge">{snap.hands.length}</span>}
            </button>
            <button
              type="button"
              aria-expanded={settingsOpen}
              aria-controls="settings-panel"
              onClick={() => setSettingsOpen(!settingsOpen)}
            >
              Room settings
            </button>
            <a
              class="button-link"
              href={`/r/${controller.roomId}/recordings`}
              target="_blank"
              rel="noopener"
            >
              Recordings
            </a>
            {snap.role === 'host' && (
              <a
                class="button-link"
                href={`/r/${controller.roomId}/meetings`}
                target="_blank"
                rel="noopener"
              >
                Attendance and feedback
              </a>
            )}
            {snap.role === 'host' && (
              <EndMeeting
                live={snap.live}
                recording={snap.recordingSince !== null}
                onEnd={() => controller.moderation.end()}
              />
            )}
          </div>
        )}
        {/* Beside the call on a laptop; one sheet over the call on a phone (sheets.ts). */}
        <div ref={sheet} class="side-panels">
          {peopleOpen && (
            <PeoplePanel
              snap={snap}
              onAction={moderator ? onAction : undefined}
              onClose={() => setPeopleOpen(false)}
            />
          )}
          {moderator && lobbyOpen && (
            <WaitingRoomPanel
              waiting={snap.lobby}
              moderation={controller.moderation}
              onClose={() => setLobbyOpen(false)}
            />
          )}
          {moderator && handsOpen && (
            <HandsPanel
              hands={snap.hands}
              classroom={controller.classroom}
              onClose={() => setHandsOpen(false)}
            />
          )}
          {pollOpen && (moderator || snap.poll) && (
            <PollPanel
              poll={snap.poll}
              notice={snap.pollNotice}
              moderator={moderator}
              polls={controller.polls}
              onClose={() => setPollOpen(false)}
            />
          )}
          {moderator && settingsOpen && (
            <SettingsPanel
              roomId={controller.roomId}
              settings={snap.settings}
              isHost={snap.role === 'host'}
              moderation={controller.moderation}
              onClose={() => setSettingsOpen(false)}
            />
          )}
          {chatOpen && (
            <ChatPanel
              onClose={() => setChatOpen(false)}
              entries={snap.chat}
              onSend={(t) => controller.sendChat(t)}
              notice={snap.phase === 'reconnecting' ? null : snap.notice}
              disabledNote={chatOff ? 'The host turned off chat for guests.' : null}
            />
          )}
        </div>
      </aside>
    </div>
  );
}

/** What the video fallback paused, told to the person whose connection it is. */
function videoPausedText(ours: boolean, theirs: boolean): string {
  if (ours && theirs) {
    return "Your video is paused, and others' video too: your connection cannot carry it. You still hear each other.";
  }
  if (ours) return 'Your video is paused: your connection cannot carry it. Others still hear you.';
  return "Others' video is paused: your connection cannot carry it. You still hear everyone.";
}
