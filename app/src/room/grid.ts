/** Tiles per page before paging: fewer on a phone. */
export function pageSizeFor(width: number): number {
  return width < 600 ? 9 : 16;
}

/**
 * The column count that makes `count` 16:9 tiles as large as possible in a box of
 * width x height (gap between tiles included).
 */
export function columnsFor(count: number, width: number, height: number, gap = 8): number {
  let best = 1;
  let bestWidth = 0;
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = (width - gap * (cols - 1)) / cols;
    const byHeight = ((height - gap * (rows - 1)) / rows) * (16 / 9);
    const tile = Math.min(byWidth, byHeight);
    if (tile > bestWidth) {
      bestWidth = tile;
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
