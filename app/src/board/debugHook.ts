import type { BoardController } from './BoardController.ts';

/** The same switch as the call's hook (call/debugHook.ts): dev and test builds only. */
const DEBUG_HOOK_BUILT = import.meta.env.DEV || import.meta.env.VITE_PARLEY_DEBUG === '1';

/** What end-to-end tests read of the board: numbers only. */
export interface BoardDebugHook {
  pages(): number;
  /** Items on the page at `index` (0: the first page). */
  items(index: number): number;
  currentPage(): string;
  /** How long the last redraw took, in ms (the 2000-stroke budget is well under a frame). */
  drawMs(): number;
}

/**
 * Sets `window.__parleyBoard` in debug builds (a no-op otherwise, and not in the production
 * bundle: tests/integration/appBuild.test.ts checks it); returns its removal.
 */
export function installBoardHook(ctrl: BoardController): () => void {
  if (!DEBUG_HOOK_BUILT) return () => {};
  const hook: BoardDebugHook = {
    pages: () => ctrl.board.pageList().length,
    items: (index) => {
      const page = ctrl.board.pageList()[index];
      return page ? ctrl.board.items(page.id).length : 0;
    },
    currentPage: () => ctrl.pageId,
    drawMs: () => ctrl.lastDrawMs,
  };
  const w = window as unknown as { __parleyBoard?: BoardDebugHook };
  w.__parleyBoard = hook;
  return () => {
    if (w.__parleyBoard === hook) delete w.__parleyBoard;
  };
}
