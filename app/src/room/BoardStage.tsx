import { useEffect, useState } from 'preact/hooks';
import type { CallController } from '../call/CallController.ts';
import type { CallSnapshot } from '../call/callState.ts';
import { isModerator } from '../call/features/moderation/lobbyState.ts';
import { lazyPage } from '../ui/lazyPage.tsx';
import type { WhiteboardProps } from '../board/api.ts';
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
export function BoardStage({ controller, snap }: Props) {
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
