import type { Tool } from './gestures.ts';

export const TOOLS: readonly { tool: Tool; label: string }[] = [
  { tool: 'pen', label: 'Pen' },
  { tool: 'line', label: 'Line' },
  { tool: 'rect', label: 'Rectangle' },
  { tool: 'ellipse', label: 'Ellipse' },
  { tool: 'arrow', label: 'Arrow' },
  { tool: 'text', label: 'Text' },
  { tool: 'eraser', label: 'Eraser' },
  { tool: 'hand', label: 'Hand' },
];

export const COLORS: readonly { value: string; name: string }[] = [
  { value: '#111827', name: 'Black' },
  { value: '#dc2626', name: 'Red' },
  { value: '#ea580c', name: 'Orange' },
  { value: '#ca8a04', name: 'Yellow' },
  { value: '#16a34a', name: 'Green' },
  { value: '#2563eb', name: 'Blue' },
  { value: '#9333ea', name: 'Purple' },
  { value: '#ffffff', name: 'White' },
];

export const SIZES: readonly { value: number; name: string }[] = [
  // In board units (a page is 1600 wide): Medium is ~4 px on a laptop's board, ~1 px would vanish.
  { value: 4, name: 'Thin' },
  { value: 8, name: 'Medium' },
  { value: 16, name: 'Thick' },
  { value: 32, name: 'Marker' },
];

interface ToolPickerProps {
  tool: Tool;
  canDraw: boolean;
  onTool(tool: Tool): void;
}

/**
 * The tools, as toggle buttons with their names (icon fonts differ too much between systems):
 * one is pressed. Only the hand works without the right to draw.
 */
export function ToolPicker({ tool, canDraw, onTool }: ToolPickerProps) {
  return (
    <div class="board-group" role="group" aria-label="Tools">
      {TOOLS.map((t) => (
        <button
          key={t.tool}
          type="button"
          class="board-tool"
          aria-pressed={tool === t.tool}
          disabled={!canDraw && t.tool !== 'hand'}
          onClick={() => onTool(t.tool)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

interface StylePickerProps {
  color: string;
  size: number;
  disabled: boolean;
  onColor(color: string): void;
  onSize(size: number): void;
}

/** Colour swatches as radio buttons, and the stroke size. */
export function StylePicker({ color, size, disabled, onColor, onSize }: StylePickerProps) {
  return (
    <>
      <fieldset class="board-group board-colors" disabled={disabled}>
        <legend class="board-sr">Colour</legend>
        {COLORS.map((c) => (
          <label key={c.value} class="board-swatch" title={c.name}>
            <input
              type="radio"
              name="board-color"
              value={c.value}
              checked={color === c.value}
              aria-label={c.name}
              onChange={() => onColor(c.value)}
            />
            <span style={{ background: c.value }} aria-hidden="true" />
          </label>
        ))}
      </fieldset>
      <label class="board-group">
        <span class="board-sr">Size</span>
        <select
          value={String(size)}
          disabled={disabled}
          aria-label="Size"
          onChange={(e) => onSize(Number(e.currentTarget.value))}
        >
          {SIZES.map((s) => (
            <option key={s.value} value={String(s.value)}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

interface PagerProps {
  index: number;
  count: number;
  canAdd: boolean;
  onGo(index: number): void;
  onAdd(): void;
}

export function Pager({ index, count, canAdd, onGo, onAdd }: PagerProps) {
  return (
    <div class="board-group" role="group" aria-label="Pages">
      <button type="button" disabled={index === 0} onClick={() => onGo(Math.max(0, index - 1))}>
        Previous page
      </button>
      <span class="board-page" aria-live="polite">
        {/* -1: the presenter's page has not synced yet. */}
        Page {index >= 0 ? index + 1 : '…'} of {count}
      </span>
      <button type="button" disabled={index >= count - 1} onClick={() => onGo(index + 1)}>
        Next page
      </button>
      {canAdd && (
        <button type="button" onClick={onAdd}>
          Add page
        </button>
      )}
    </div>
  );
}

interface HistoryProps {
  disabled: boolean;
  canUndo: boolean;
  canRedo: boolean;
  onUndo(): void;
  onRedo(): void;
}

export function HistoryButtons({ disabled, canUndo, canRedo, onUndo, onRedo }: HistoryProps) {
  return (
    <div class="board-group" role="group" aria-label="History">
      <button type="button" disabled={disabled || !canUndo} onClick={onUndo}>
        Undo
      </button>
      <button type="button" disabled={disabled || !canRedo} onClick={onRedo}>
        Redo
      </button>
    </div>
  );
}

export function ZoomButtons({ onZoom, onFit }: { onZoom(factor: number): void; onFit(): void }) {
  return (
    <div class="board-group" role="group" aria-label="Zoom">
      <button type="button" onClick={() => onZoom(1.25)}>
        Zoom in
      </button>
      <button type="button" onClick={() => onZoom(0.8)}>
        Zoom out
      </button>
      <button type="button" onClick={onFit}>
        Fit
      </button>
    </div>
  );
}
