import { LIMITS } from '@parley/protocol';

/** Who gets into a room: its waiting room, and a password to type. */
export interface RoomDoor {
  waitingRoom: boolean;
  /** The password to set; empty: none for a new room, the current one kept for a room. */
  password: string;
  /** A room that has a password: take it off (the field is gone meanwhile). */
  removePassword: boolean;
}

/** A new room's door: the safe default, the waiting room on, and no password. */
export const NEW_ROOM_DOOR: RoomDoor = { waitingRoom: true, password: '', removePassword: false };

interface Props {
  /** Starts the fields' ids, unique on the page (`<idPrefix>-password`). */
  idPrefix: string;
  value: RoomDoor;
  onChange(value: RoomDoor): void;
  /**
   * The room exists and has a password (an edit): the field sets a new one, left empty it
   * keeps the current one (never shown: only its hash is stored), and a box removes it.
   */
  hasPassword?: boolean;
}

/**
 * The waiting room and password fields, the same wherever a room's door is chosen: the home
 * page's new room, a scheduled meeting's room when it is scheduled and when it is edited.
 */
export function RoomDoorFields({ idPrefix, value, onChange, hasPassword = false }: Props) {
  const set = (change: Partial<RoomDoor>) => onChange({ ...value, ...change });
  const rule = `at least ${LIMITS.ROOM_PASSWORD_MIN} characters`;
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
      {hasPassword && (
        <label class="toggle">
          <input
            type="checkbox"
            checked={value.removePassword}
            onChange={(e) => set({ removePassword: e.currentTarget.checked, password: '' })}
          />
          Remove the room password (anyone with the link gets in, or waits)
        </label>
      )}
      {!value.removePassword && (
        <div class="field">
          <label for={`${idPrefix}-password`}>
            {hasPassword
              ? `New room password (empty keeps the current one; ${rule})`
              : `Room password (optional, ${rule})`}
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
      )}
    </>
  );
}
