import { useEffect, useRef, useState } from 'preact/hooks';
import type { TileAction, TileMenuItem } from '../call/features/moderation/lobbyState.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { usePopover } from './usePopover.ts';

/** The menu items that ask before they act. */
type Confirmed = Extract<TileAction, 'remove' | 'make-host'>;

function confirmation(action: Confirmed, name: string) {
  return action === 'remove'
    ? {
        title: `Remove ${name} from the meeting?`,
        text: 'They leave the call now and cannot join this meeting again, even with the link and the password.',
        confirm: 'Remove',
        danger: true,
      }
    : {
        title: `Make ${name} the host?`,
        text: `${name} can then end the meeting, go live, record and change roles. You become a co-host.`,
        confirm: 'Make host',
        danger: false,
      };
}

interface Props {
  name: string;
  items: TileMenuItem[];
  onAction(action: TileAction): void;
}

/**
 * The host menu on someone's tile: a button "Options for <name>" and a menu of host controls
 * (WAI-ARIA menu button: arrows move, Escape closes and returns focus, a click outside closes).
 * Remove asks first: it sits under Mute, and the person is out of the call at once; so does
 * Make host, which gives our own host role away.
 */
export function TileMenu({ name, items, onAction }: Props) {
  const [asking, setAsking] = useState<Confirmed | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // The root holds the button and the menu (the confirmation shows only once the menu closed).
  const { open, setOpen, close } = usePopover(button, root);

  useEffect(() => {
    if (open)
      root.current?.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') return close();
    if (e.key === 'Tab') return setOpen(false);
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const all = [
      ...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? []),
    ];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const next = (at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length;
    all[next]?.focus();
  };

  return (
    <div class="tile-menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        class="tile-menu-button"
        aria-label={`Options for ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div role="menu" aria-label={`Host controls for ${name}`} class="menu">
          {items.map((item) => (
            <button
              key={item.action}
              type="button"
              role="menuitem"
              disabled={item.disabled}
              class={item.action === 'remove' ? 'menu-danger' : ''}
              onClick={() => {
                close();
                if (item.action === 'remove' || item.action === 'make-host') {
                  setAsking(item.action);
                } else onAction(item.action);
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
      {asking && (
        <ConfirmDialog
          {...confirmation(asking, name)}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            onAction(asking);
          }}
        />
      )}
    </div>
  );
}
