import type { TileQuality } from '../call/quality/QualityMonitor.ts';

const BARS = { good: 3, fair: 2, poor: 1, lost: 0 } as const;

/** Three signal bars in the tile's caption; the tooltip and label say the level and why. */
export function QualityBars({ quality, text }: TileQuality) {
  return (
    <span class={`quality-bars q-${quality}`} role="img" aria-label={text} title={text}>
      {[1, 2, 3].map((n) => (
        <span key={n} class={n <= BARS[quality] ? 'bar on' : 'bar'} />
      ))}
    </span>
  );
}
