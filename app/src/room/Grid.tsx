import { useEffect, useRef, useState } from 'preact/hooks';
import { Tile } from './Tile.tsx';
import type { TileSpec, TileWiring } from './Tile.tsx';
import { columnsFor, pageSizeFor, tileWidthFor } from './grid.ts';
import { selfLast } from './layout.ts';

interface Props extends TileWiring {
  tiles: TileSpec[];
  /** The key of the pinned tile (on the grid while the whiteboard is the stage), or null. */
  pinned?: string | null;
  /** Said in the grid when it has no tile (our self view hidden, nobody else here). */
  empty?: string;
}

/**
 * The participants' tiles, sized to fit the box they get (columns chosen from count and
 * box), paged beyond what fits (9 on a phone, 16 otherwise), ours last on the first page.
 * Tiles off the page are not rendered, so their SFU video is paused; their audio plays on
 * (AudioSink).
 */
export function Grid({ tiles, pinned = null, empty, ...each }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ width: 800, height: 450 });
  const [page, setPage] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setBox({ width: el.clientWidth, height: el.clientHeight });
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, []);

  const perPage = pageSizeFor(box.width);
  const pages = Math.max(1, Math.ceil(tiles.length / perPage));
  const current = Math.min(page, pages - 1);
  const shown = selfLast(tiles, perPage).slice(current * perPage, (current + 1) * perPage);
  const cols = columnsFor(shown.length, box.width, box.height);
  const tileWidth = tileWidthFor(shown.length, cols, box.width, box.height);
  return (
    <section class="grid-wrap" aria-label="Participants">
      <div
        ref={ref}
        class="grid"
        style={{ '--cols': String(cols), '--tile-w': `${tileWidth}px` }}
        data-count={tiles.length}
      >
        {shown.map((t) => (
          <Tile key={t.key} tile={t} pinned={t.key === pinned} {...each} />
        ))}
        {tiles.length === 0 && empty && <p class="muted grid-empty">{empty}</p>}
      </div>
      {pages > 1 && (
        <div class="pager row">
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous page
          </button>
          <span class="muted">
            Page {current + 1} of {pages}
          </span>
          <button
            type="button"
            disabled={current >= pages - 1}
            onClick={() => setPage(current + 1)}
          >
            Next page
          </button>
        </div>
      )}
    </section>
  );
}
