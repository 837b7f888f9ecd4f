import { LIMITS } from '@parley/protocol';

/** Who gets into a room: its waiting room, and a password to type. */
export interface RoomDoor {
  waitingRoom: boolean;
  /** The password to set; empty: none. */
  password: string;
}

/** A new room's door: the safe default, the waiting room on, and no password. */
export const NEW_ROOM_DOOR: RoomDoor = { waitingRoom: true, password: '' };

interface Props {
  /** Starts the fields' ids, unique on the page (`<idPrefix>-password`). */
  idPrefix: string;
  value: RoomDoor;
  onChange(value: RoomDoor): void;
}

/**
 * The waiting room and password fields, the same wherever a room's door is chosen: the home
 * page's new room, a scheduled meeting's room.
 */
export function RoomDoorFields({ idPrefix, value, onChange }: Props) {
  const set = (change: Partial<RoomDoor>) => onChange({ ...value, ...change });
  return (
    <>
      <label class="toggle">
        <input
          type="checkbox"
          checked={value.waitingRoom}
          onChange={(e) => set({ waitingRoom: e.currentTarget.checked })}
        />
        Waiting room: you let each guest in
      </label>
      <div class="field">
        <label for={`${idPrefix}-password`}>
          Room password (optional, at least {LIMITS.ROOM_PASSWORD_MIN} characters)
        </label>
        <input
          id={`${idPrefix}-password`}
          type="text"
          autoComplete="off"
          spellcheck={false}
          minLength={LIMITS.ROOM_PASSWORD_MIN}
          maxLength={LIMITS.ROOM_PASSWORD_MAX}
          value={value.password}
          onInput={(e) => set({ password: e.currentTarget.value })}
        />
      </div>
    </>
  );
}
