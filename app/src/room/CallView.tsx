import { useCallback } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import { mediaFlags } from '../call/callState.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { tileKey } from '../call/RemoteMedia.ts';
import type { TileSpec } from './Tile.tsx';
import { Grid } from './Grid.tsx';
import { AudioSink } from './Video.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { ScreenShareControls } from './ScreenShareControls.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { BroadcastControls } from '../watch/BroadcastControls.tsx';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Our tile first, then each peer's camera tile and, while they share, their screen. */
function tilesOf(controller: CallController, snap: CallSnapshot): TileSpec[] {
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
      });
    }
  }
  return tiles;
}

export function CallView({ controller, snap }: Props) {
  const onSeen = useCallback(
    (key: string, seen: { visible: boolean; width: number } | null) =>
      controller.tileSeen(key, seen),
    [controller],
  );
  const status = snap.phase === 'reconnecting' ? (snap.notice ?? 'Reconnecting…') : snap.status;
  return (
    <div class="call" data-mode={snap.mode}>
      {snap.broadcastNotice && (
        <div class="banner banner-warn" role="alert">
          {snap.broadcastNotice}
        </div>
      )}
      {status && (
        <div class="banner banner-warn" role="status">
          {status}
        </div>
      )}
      <Grid tiles={tilesOf(controller, snap)} epoch={snap.streamEpoch} onSeen={onSeen} />
      <div class="sinks" aria-hidden="true">
        {snap.peers.map((p) => (
          <AudioSink
            key={p.peerId}
            stream={controller.remoteStream(p.peerId, 'camera')}
            epoch={snap.streamEpoch}
          />
        ))}
      </div>
      <div class="controls" role="toolbar" aria-label="Call controls">
        <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
        <ScreenShareControls controller={controller} snap={snap} />
        <BroadcastControls
          live={snap.live}
          isHost={snap.role === 'host'}
          busy={snap.broadcastBusy}
          onToggle={(live) => void controller.setBroadcast(live)}
          watchUrl={`${location.origin}/watch/${controller.roomId}`}
        />
        <button type="button" class="danger" onClick={() => controller.leave()}>
          Leave
        </button>
      </div>
      <ChatPanel
        entries={snap.chat}
        onSend={(t) => controller.sendChat(t)}
        notice={snap.phase === 'reconnecting' ? null : snap.notice}
      />
    </div>
  );
}
