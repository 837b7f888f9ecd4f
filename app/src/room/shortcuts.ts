/** What a keyboard shortcut of the call does (issue 19). */
export type ShortcutAction = 'mic' | 'camera' | 'share' | 'hand' | 'chat' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  /** As the help sheet shows it. */
  keys: string;
  /** As `aria-keyshortcuts` names it, on the button that does the same. */
  aria: string;
  label: string;
}

/**
 * Meet's keys where Meet has one (Ctrl+D, Ctrl+E, Ctrl+Alt+H, Ctrl+Alt+C, Ctrl+/), and ⌘ for
 * Ctrl on a Mac. Every one but `?` needs a modifier, so typing never triggers them, and `?` only
 * works outside a text field.
 */
export const SHORTCUTS: Shortcut[] = [
  { action: 'mic', keys: 'Ctrl + D', aria: 'Control+D', label: 'Mute or unmute your microphone' },
  { action: 'camera', keys: 'Ctrl + E', aria: 'Control+E', label: 'Turn your camera off or on' },
  {
    action: 'share',
    keys: 'Ctrl + Alt + S',
    aria: 'Control+Alt+S',
    label: 'Share your screen, or stop sharing',
  },
  {
    action: 'hand',
    keys: 'Ctrl + Alt + H',
    aria: 'Control+Alt+H',
    label: 'Raise or lower your hand',
  },
  {
    action: 'chat',
    keys: 'Ctrl + Alt + C',
    aria: 'Control+Alt+C',
    label: 'Open or close the chat',
  },
  {
    action: 'help',
    keys: '? or Ctrl + /',
    aria: 'Shift+? Control+/',
    label: 'Show these shortcuts',
  },
];

/** The parts of a KeyboardEvent a shortcut depends on. */
export interface KeyPress {
  key: string;
  /** The physical key ("KeyD"), so that Alt (which changes `key` on a Mac) does not matter. */
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const WITH_CTRL: Record<string, ShortcutAction> = { KeyD: 'mic', KeyE: 'camera', Slash: 'help' };
const WITH_CTRL_ALT: Record<string, ShortcutAction> = { KeyS: 'share', KeyH: 'hand', KeyC: 'chat' };

/** The action `press` asks for, or null. `typing`: the focus is in a text field. */
export function shortcutFor(press: KeyPress, typing: boolean): ShortcutAction | null {
  const ctrl = press.ctrlKey || press.metaKey;
  if (!ctrl) return !typing && press.key === '?' && !press.altKey ? 'help' : null;
  if (press.shiftKey) return null;
  return (press.altKey ? WITH_CTRL_ALT : WITH_CTRL)[press.code] ?? null;
}

/** The `aria-keyshortcuts` of the button that does `action`. */
export function ariaKeys(action: ShortcutAction): string {
  return SHORTCUTS.find((s) => s.action === action)?.aria ?? '';
}
