import type { CallController } from '../call/CallController.ts';
import { mediaFlags } from '../call/callState.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { Tile } from './Tile.tsx';
import { MediaButtons } from './MediaButtons.tsx';
import { ChatPanel } from './ChatPanel.tsx';

interface Props {
  controller: CallController;
  snap: CallSnapshot;
}

/** Columns for n tiles: 1, 2, 2x2, 3x2, … (the CSS collapses to one column on phones). */
function columnsFor(count: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(count)));
}

export function CallView({ controller, snap }: Props) {
  const count = snap.peers.length + 1;
  return (
    <div class="call">
      {snap.phase === 'reconnecting' && (
        <div class="banner banner-warn" role="status">
          {snap.notice ?? 'Reconnecting…'}
        </div>
      )}
      <section
        class="grid"
        aria-label="Participants"
        style={{ '--cols': String(columnsFor(count)) }}
        data-count={count}
      >
        <Tile
          name={snap.name}
          media={mediaFlags(snap.local)}
          stream={controller.localStream()}
          self
          epoch={snap.streamEpoch}
        />
        {snap.peers.map((p) => (
          <Tile
            key={p.peerId}
            name={p.name}
            media={p.media}
            stream={controller.remoteStream(p.peerId)}
            status={p.connected ? null : 'connecting…'}
            epoch={snap.streamEpoch}
          />
        ))}
      </section>
      <div class="controls" role="toolbar" aria-label="Call controls">
        <MediaButtons local={snap.local} onToggle={(k) => controller.toggle(k)} />
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
