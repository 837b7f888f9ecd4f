import { describe, expect, it } from 'vitest';
import { SHORTCUTS, ariaKeys, shortcutFor } from './shortcuts.ts';
import type { KeyPress } from './shortcuts.ts';

function press(code: string, key: string, mods: Partial<KeyPress> = {}): KeyPress {
  return { code, key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe('call shortcuts', () => {
  it("maps Meet's keys, with Ctrl or ⌘", () => {
    expect(shortcutFor(press('KeyD', 'd', { ctrlKey: true }), false)).toBe('mic');
    expect(shortcutFor(press('KeyD', 'd', { metaKey: true }), false)).toBe('mic');
    expect(shortcutFor(press('KeyE', 'e', { ctrlKey: true }), false)).toBe('camera');
    expect(shortcutFor(press('KeyH', 'h', { ctrlKey: true, altKey: true }), false)).toBe('hand');
    expect(shortcutFor(press('KeyC', 'c', { ctrlKey: true, altKey: true }), false)).toBe('chat');
    expect(shortcutFor(press('KeyS', 's', { ctrlKey: true, altKey: true }), false)).toBe('share');
    expect(shortcutFor(press('Slash', '/', { ctrlKey: true }), false)).toBe('help');
  });

  it('reads the physical key: Alt on a Mac turns "h" into "˙"', () => {
    expect(shortcutFor(press('KeyH', '˙', { metaKey: true, altKey: true }), false)).toBe('hand');
  });

  it('works in a text field when a modifier is held, and leaves typing alone', () => {
    expect(shortcutFor(press('KeyD', 'd', { ctrlKey: true }), true)).toBe('mic');
    expect(shortcutFor(press('KeyD', 'd'), false)).toBeNull();
    expect(shortcutFor(press('Slash', '?', { shiftKey: true }), true)).toBeNull();
    expect(shortcutFor(press('Slash', '?', { shiftKey: true }), false)).toBe('help');
  });

  it('ignores near misses: other letters, Shift added, Alt without Ctrl', () => {
    expect(shortcutFor(press('KeyX', 'x', { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(press('KeyD', 'D', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(shortcutFor(press('KeyH', 'h', { altKey: true }), false)).toBeNull();
    // Ctrl+H is the browser's history, Ctrl+C a copy: only with Alt are they ours.
    expect(shortcutFor(press('KeyH', 'h', { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(press('KeyC', 'c', { ctrlKey: true }), false)).toBeNull();
  });

  it('names every action once, with its aria-keyshortcuts', () => {
    const actions = SHORTCUTS.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(ariaKeys('mic')).toBe('Control+D');
    expect(ariaKeys('hand')).toBe('Control+Alt+H');
  });
});
