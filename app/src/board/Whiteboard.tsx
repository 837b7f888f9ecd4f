import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { WhiteboardProps } from './api.ts';
import { BoardController, type BoardState } from './BoardController.ts';
import { FIRST_PAGE } from './BoardDoc.ts';
import { FIT } from './geometry.ts';
import type { Tool } from './gestures.ts';
import { HistoryButtons, Pager, StylePicker, ToolPicker, ZoomButtons } from './Toolbar.tsx';
import { TextOverlay } from './TextOverlay.tsx';
import { HostTools } from './HostTools.tsx';
import { useFollow, type Follow } from './useFollow.ts';
import { installBoardHook } from './debugHook.ts';
import './whiteboard.css';

/** How long a notice stays. */
const NOTICE_MS = 6000;

/** The controller lives as long as the component; its state reaches Preact as plain data. */
function useController(props: WhiteboardProps) {
  const [state, setState] = useState<BoardState>({
    pages: [{ id: FIRST_PAGE, slide: null }],
    canUndo: false,
    canRedo: false,
  });
  const [notice, setNotice] = useState<string | null>(null);
  const ref = useRef<BoardController | null>(null);
  ref.current ??= new BoardController({
    roomId: props.roomId,
    link: props.link,
    ticket: () => props.ticket(),
    onState: setState,
    onNotice: setNotice,
  });
  const ctrl = ref.current;
  useEffect(() => {
    ctrl.start();
    return () => ctrl.close();
  }, [ctrl]);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  useDebugHook(ctrl);
  return { ctrl, state, notice, setNotice };
}

/** For end-to-end tests only: counts read from the doc (no cost until called). */
function useDebugHook(ctrl: BoardController) {
  useEffect(() => installBoardHook(ctrl), [ctrl]);
}

/** Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y while the board has focus; space held pans. */
function onKey(ctrl: BoardController, e: KeyboardEvent, down: boolean) {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  if (e.key === ' ' && !(e.target instanceof HTMLButtonElement)) {
    ctrl.spaceHeld = down;
    e.preventDefault();
    return;
  }
  if (!down || !(e.ctrlKey || e.metaKey)) return;
  const key = e.key.toLowerCase();
  if (key === 'z' && !e.shiftKey) ctrl.undo();
  else if ((key === 'z' && e.shiftKey) || key === 'y') ctrl.redo();
  else return;
  e.preventDefault();
}

/** The canvas ref: stable, so Preact calls it once on mount and once on unmount. */
function useCanvasRef(ctrl: BoardController, props: WhiteboardProps) {
  const propsRef = useRef(props);
  propsRef.current = props;
  return useCallback(
    (canvas: HTMLCanvasElement | null) => {
      ctrl.attach(canvas);
      propsRef.current.onCanvas?.(canvas);
    },
    [ctrl],
  );
}

/** The lines under the toolbar: who may draw, "Back to presenter", the last notice. */
function StatusLines({
  props,
  follow,
  notice,
}: {
  props: WhiteboardProps;
  follow: Follow;
  notice: string | null;
}) {
  return (
    <>
      {!props.canDraw && <p class="board-line">Only hosts can draw on this board</p>}
      {follow.away && (
        <p class="board-line">
          {props.presenter?.name} is presenting another page.{' '}
          <button type="button" onClick={follow.resume}>
            Back to presenter
          </button>
        </p>
      )}
      {notice && (
        <p class="board-line board-notice" role="status">
          {notice}
        </p>
      )}
    </>
  );
}

interface CanvasBoxProps {
  ctrl: BoardController;
  props: WhiteboardProps;
  tool: Tool;
  color: string;
}

/** The one canvas (everything is drawn on it: the call captures it) and the text tool's field. */
function CanvasBox({ ctrl, props, tool, color }: CanvasBoxProps) {
  const [text, setText] = useState<{ x: number; y: number } | null>(null);
  const canvasRef = useCanvasRef(ctrl, props);
  ctrl.onPlaceText = (x, y) => setText({ x, y });
  return (
    <div class="board-canvas-box">
      <canvas
        ref={canvasRef}
        class="board-canvas"
        data-testid="board-canvas"
        data-tool={tool}
        tabIndex={0}
        aria-label="Board"
      />
      {text && (
        <TextOverlay
          at={ctrl.cssPoint(text.x, text.y)}
          color={color}
          onDone={(value) => {
            if (value !== null) ctrl.addText(text.x, text.y, value);
            setText(null);
          }}
        />
      )}
    </div>
  );
}

export default function Whiteboard(props: WhiteboardProps) {
  const { ctrl, state, notice, setNotice } = useController(props);
  const [tool, setTool] = useState<Tool>('pen');
  const [color, setColor] = useState(ctrl.color);
  const [size, setSize] = useState(ctrl.size);
  const showPage = useCallback((id: string) => ctrl.setPage(id), [ctrl]);
  const follow = useFollow(props, showPage);
  // Without the right to draw, the hand (pan) is the one tool left.
  const activeTool = props.canDraw ? tool : 'hand';
  Object.assign(ctrl, { tool: activeTool, color, size, canDraw: props.canDraw });
  const index = state.pages.findIndex((p) => p.id === follow.pageId);
  const draw = props.canDraw;
  return (
    // A plain div: the call page's stage around it is the "Whiteboard" region (a second region
    // of that name inside it would be a duplicate landmark).
    <div
      class="board"
      onKeyDown={(e) => onKey(ctrl, e, true)}
      onKeyUp={(e) => onKey(ctrl, e, false)}
    >
      <div class="board-bar" role="toolbar" aria-label="Whiteboard tools">
        <ToolPicker tool={activeTool} canDraw={draw} onTool={setTool} />
        <StylePicker
          color={color}
          size={size}
          disabled={!draw}
          onColor={setColor}
          onSize={setSize}
        />
        <HistoryButtons
          disabled={!draw}
          canUndo={state.canUndo}
          canRedo={state.canRedo}
          onUndo={() => ctrl.undo()}
          onRedo={() => ctrl.redo()}
        />
        <Pager
          index={index}
          count={state.pages.length}
          canAdd={draw}
          onGo={(i) => follow.goTo(state.pages[i]?.id ?? FIRST_PAGE)}
          onAdd={() => follow.goTo(ctrl.board.addPages([null], follow.pageId)[0]!)}
        />
        <ZoomButtons onZoom={(f) => ctrl.zoom(f)} onFit={() => ctrl.setView(FIT)} />
        {props.moderator && (
          <HostTools
            ctrl={ctrl}
            props={props}
            pageId={follow.pageId}
            onGo={follow.goTo}
            onNotice={setNotice}
          />
        )}
        <button type="button" class="board-close" onClick={() => props.onClose()}>
          Close whiteboard
        </button>
      </div>
      <StatusLines props={props} follow={follow} notice={notice} />
      <CanvasBox ctrl={ctrl} props={props} tool={activeTool} color={color} />
    </div>
  );
}
