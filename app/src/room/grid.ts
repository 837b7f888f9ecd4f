/** Tiles per page before paging: fewer on a phone. */
export function pageSizeFor(width: number): number {
  return width < 600 ? 9 : 16;
}

/**
 * In a box wider than tall, a layout with more rows than columns counts its tiles this much
 * smaller: two people side by side on a laptop, as in Meet and Zoom, though stacked they would
 * be up to 1/0.7 (43%) wider. Stacking still wins where it is much larger (a squarish box).
 */
const STACKED_IN_LANDSCAPE = 0.7;

/**
 * The column count that makes `count` 16:9 tiles as large as possible in a box of
 * width x height (gap between tiles included), preferring rows side by side in a wide box.
 */
export function columnsFor(count: number, width: number, height: number, gap = 8): number {
  let best = 1;
  let bestScore = 0;
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = (width - gap * (cols - 1)) / cols;
    const byHeight = ((height - gap * (rows - 1)) / rows) * (16 / 9);
    const stacked = width > height && rows > cols;
    const score = Math.min(byWidth, byHeight) * (stacked ? STACKED_IN_LANDSCAPE : 1);
    if (score > bestScore) {
      bestScore = score;
      best = cols;
    }
  }
  return best;
}

/** The widest tile that fits with `cols` columns. */
export function tileWidthFor(
  count: number,
  cols: number,
  width: number,
  height: number,
  gap = 8,
): number {
  const rows = Math.ceil(count / cols);
  const byWidth = (width - gap * (cols - 1)) / cols;
  const byHeight = ((height - gap * (rows - 1)) / rows) * (16 / 9);
  return Math.max(80, Math.floor(Math.min(byWidth, byHeight)));
}
