import { useState } from 'preact/hooks';
import { LIMITS } from '@parley/protocol';
import type { CreateRoomRequest } from '@parley/protocol';
import { createRoom, saveHostKey, saveRoomPassword } from '../api.ts';
import { navigate } from '../router.ts';
import { NEW_ROOM_DOOR, RoomDoorFields } from '../ui/RoomDoorFields.tsx';

interface Props {
  /** Creating failed: `offline` when the network itself failed (fetch rejected). */
  onError(message: string | null, offline: boolean): void;
}

/**
 * Create room, with its options: the waiting room (on by default), a password, a title. A
 * signed-in creator also finds the room under "Your rooms".
 */
export function CreateRoomForm({ onError }: Props) {
  const [busy, setBusy] = useState(false);
  const [title, setTitle] = useState('');
  const [door, setDoor] = useState(NEW_ROOM_DOOR);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    onError(null, false);
    const { waitingRoom, password } = door;
    const request: CreateRoomRequest = { settings: { waitingRoom } };
    if (title.trim()) request.title = title.trim();
    if (password) request.password = password;
    try {
      const room = await createRoom(request);
      saveHostKey(room.id, room.hostKey);
      if (password) saveRoomPassword(room.id, password);
      navigate(`/r/${room.id}`);
    } catch (err) {
      // fetch() rejects (TypeError) only when the network itself failed.
      if (err instanceof TypeError) onError(null, true);
      else onError(err instanceof Error ? err.message : String(err), false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="create-form" onSubmit={onSubmit} aria-label="New room">
      {/* The tab's title in the meeting and the broadcast's heading show it (issue 19). */}
      <div class="field">
        <label for="room-title">Title (optional)</label>
        <input
          id="room-title"
          type="text"
          maxLength={LIMITS.ROOM_TITLE_MAX}
          placeholder="Weekly sync"
          value={title}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </div>
      <RoomDoorFields idPrefix="room" value={door} onChange={setDoor} />
      <button type="submit" class="primary big" disabled={busy}>
        {busy ? 'Creating…' : 'Create room'}
      </button>
    </form>
  );
}
