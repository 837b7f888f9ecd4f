import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import { mediaFlags } from '../call/callState.ts';
import type { CallSnapshot } from '../call/callState.ts';
import type { PollView } from '@parley/protocol';
import { tileKey } from '../call/topology/RemoteMedia.ts';
import { isModerator, tileMenu } from '../call/features/moderation/lobbyState.ts';
import type { TileAction } from '../call/features/moderation/lobbyState.ts';
import type { TileSpec } from './Tile.tsx';
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
import { lazyPage } from '../ui/lazyPage.tsx';
import { people, usePageTitle } from '../ui/usePageTitle.ts';
import type { WhiteboardProps } from '../board/api.ts';
import './moderation.css';
import { background } from '../util/background.ts';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** The whiteboard is a chunk of its own (Yjs, perfect-freehand): fetched when first opened. */
const Whiteboard = lazyPage<WhiteboardProps>(
  () => import('../board/Whiteboard.tsx').then((m) => m.default),
  {
    loading: 'Opening the whiteboard…',
    failed: 'The whiteboard could not be loaded. Check your connection and open it again.',
  },
);

/**
 * The board, in the stage above the tiles. A presenter on air shares its canvas as their
 * screen, so the broadcast shows what the class sees.
 */
function BoardStage({ controller, snap }: Props) {
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const presenting = snap.boardPresenter?.peerId === snap.selfId && snap.selfId !== null;
  const onAir = presenting && snap.live ? canvas : null;
  useEffect(() => {
    background(controller.shareBoard(onAir), 'sharing the board on air');
  }, [controller, onAir]);
  useEffect(() => () => background(controller.shareBoard(null), 'board share stop'), [controller]);
  const board = controller.board;
  return (
    <section class="board-stage" aria-label="Whiteboard">
      <Whiteboard
        roomId={controller.roomId}
        link={board}
        canDraw={snap.settings.draw || isModerator(snap.role)}
        moderator={isModerator(snap.role)}
        presenter={snap.boardPresenter}
        selfId={snap.selfId}
        onPresent={(pageId) => background(board.present(pageId), 'presenting the board')}
        ticket={() => board.ticket()}
        onCanvas={setCanvas}
        onClose={() => board.setOpen(false)}
      />
    </section>
  );
}

/** Our tile first, then each peer's camera tile and, while they share, their screen. */
function tilesOf(controller: CallController, snap: CallSnapshot): TileSpec[] {
  const hand = (peerId: string | null) => handPosition(snap.hands, peerId);
  const reactions = (peerId: string | null) => snap.reactions.filter((r) => r.peerId === peerId);
  const tiles: TileSpec[] = [
    {
      key: 'self',
      peerId: null,
      source: 'camera',
      name: snap.name,
      media: mediaFlags(snap.local),
      stream: controller.localStream(),
      status: null,
      speaking: false,
      role: snap.role,
      menu: [],
      hand: hand(snap.selfId),
      reactions: reactions(snap.selfId),
    },
  ];
  for (const p of snap.peers) {
    const stream = controller.remoteStream(p.peerId, 'camera');
    const speaking = snap.speaker === p.peerId;
    tiles.push({
      key: tileKey(p.peerId, 'camera'),
      peerId: p.peerId,
      source: 'camera',
      name: p.name,
      media: p.media,
      stream,
      status: stream || p.connected ? null : 'connecting…',
      speaking,
      role: p.role,
      menu: tileMenu(snap.role, p, snap.settings.selfUnmute),
      hand: hand(p.peerId),
      reactions: reactions(p.peerId),
    });
    const screen = controller.remoteStream(p.peerId, 'screen');
    if (p.media.screen && screen) {
      tiles.push({
        key: tileKey(p.peerId, 'screen'),
        peerId: p.peerId,
        source: 'screen',
        name: p.name,
        media: p.media,
        stream: screen,
        status: null,
        speaking: false,
        role: p.role,
        menu: [],
        hand: null,
        reactions: [],
      });
    }
  }
  return tiles;
}

/** A panel that opens by itself when its count grows (someone waits, a hand goes up); it may be closed. */
function useOpenOnArrival(count: number): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  const before = useRef(0);
  useEffect(() => {
    if (count > before.current) setOpen(true);
    before.current = count;
  }, [count]);
  return [open, setOpen];
}

/**
 * The poll panel opens by itself when a poll is launched, ends or is shared (everyone has
 * something new to do or read); it may be closed, and reopened from the toolbar.
 */
function usePollOpen(poll: PollView | null): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  const key = poll ? `${poll.pollId} ${poll.state} ${poll.shared}` : '';
  // Empty at first: someone joining while a poll is open sees it at once.
  const before = useRef('');
  useEffect(() => {
    if (key !== before.current && key !== '') setOpen(true);
    before.current = key;
  }, [key]);
  return [open, setOpen];
}

/**
 * Messages from others that came while the chat was closed (issue 19: the panel may be
 * closed; the toolbar's Chat button then counts what is new).
 */
function useUnread(entries: CallSnapshot['chat'], open: boolean): number {
  const seen = useRef(entries.length);
  if (open || entries.length < seen.current) seen.current = entries.length;
  return open
    ? 0
    : entries.slice(seen.current).filter((e) => e.kind === 'message' && !e.mine).length;
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
  const [chatOpen, setChatOpen] = useState(true);
  const [peopleOpen, setPeopleOpen] = useState(false);
  const presence = usePresenceNotice(snap.chat);
  useKnockSound(waiting, moderator);
  // The call starts at the top of the page: the pre-join screen may have been scrolled down to
  // its Join button, and the tiles above would open out of view (and, on the SFU, paused).
  useEffect(() => window.scrollTo(0, 0), []);
  const unread = useUnread(snap.chat, chatOpen);
  // "(2) 3 people - Parley" while two wait to be let in: a notice that needs no sound.
  usePageTitle(`${waiting > 0 ? `(${waiting}) ` : ''}${people(snap.peers.length + 1)} - Parley`);
  const status = snap.phase === 'reconnecting' ? (snap.notice ?? 'Reconnecting…') : snap.status;
  const chatOff = !snap.settings.chat && !moderator;
  const [helpOpen, setHelpOpen] = useState(false);
  const raised = handPosition(snap.hands, snap.selfId) !== null;
  const layout = useLayoutPrefs();
  useShortcuts({
    mic: () => controller.toggle('audio'),
    camera: () => controller.toggle('video'),
    share: () => {
      if (snap.sharing) background(controller.stopScreenShare(), 'stopping the screen share');
      else if (canShareScreen())
        background(controller.startScreenShare(), 'starting the screen share');
    },
    hand: () => background(controller.classroom.setHand(!raised), 'hand'),
    chat: () => setChatOpen(!chatOpen),
    help: () => setHelpOpen(true),
  });
  return (
    <div class="call" data-mode={snap.mode} data-board={snap.boardOpen ? 'open' : undefined}>
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
      <div class="controls" role="toolbar" aria-label="Call controls">
        <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        <DeviceMenu controller={controller} snap={snap} />
        <ScreenShareControls controller={controller} snap={snap} />
        <ViewMenu prefs={layout} />
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
              <EndMeeting
                live={snap.live}
                recording={snap.recordingSince !== null}
                onEnd={() => controller.moderation.end()}
              />
            )}
          </div>
        )}
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
      </aside>
    </div>
  );
}
