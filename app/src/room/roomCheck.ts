import { useEffect, useState } from 'preact/hooks';
import { fetchMyRooms, loadHostKey, loadRoomPassword } from '../api.ts';
import { session } from '../auth/session.ts';
import { log } from '../log.ts';
import { background } from '../util/background.ts';

/**
 * Whether a room link leads anywhere, asked before the camera or the call's socket opens
 * (issue 19: a mistyped link says "This meeting does not exist", not a pre-join whose Join
 * fails). `unknown`: the server could not be asked (offline, overloaded); the pre-join shows
 * as before, and joining says what is wrong.
 */
export type RoomCheck = 'checking' | 'exists' | 'not-found' | 'unknown';

/**
 * `GET /api/rooms/<id>`. It answers 404 for an unknown room and also for one with a password
 * (the server never tells that such a room exists), so a 404 for a room this browser created,
 * or one the signed-in user owns, still means it exists.
 */
export async function checkRoom(roomId: string, signal?: AbortSignal): Promise<RoomCheck> {
  if (loadHostKey(roomId) !== undefined || loadRoomPassword(roomId) !== undefined) {
    return 'exists';
  }
  try {
    const url = `/api/rooms/${encodeURIComponent(roomId)}`;
    const res = await fetch(url, { cache: 'no-store', signal: signal ?? null });
    // Read to its end: an unread body keeps the request open in Chromium, and the page is
    // then never idle on the network (the PWA benchmark waits for that).
    await res.arrayBuffer();
    if (res.ok) return 'exists';
    if (res.status !== 404) return 'unknown';
    return (await ownedBySignedInUser(roomId)) ? 'exists' : 'not-found';
  } catch (err) {
    if (!signal?.aborted) log.warn('could not ask whether the room exists:', err);
    return 'unknown';
  }
}

async function ownedBySignedInUser(roomId: string): Promise<boolean> {
  await session.restore();
  if (!session.current) return false;
  return (await fetchMyRooms()).some((room) => room.id === roomId);
}

/** checkRoom for a page: `checking` until the answer arrives. */
export function useRoomCheck(roomId: string): RoomCheck {
  const [check, setCheck] = useState<RoomCheck>('checking');
  useEffect(() => {
    const abort = new AbortController();
    const settle = async () => {
      const answer = await checkRoom(roomId, abort.signal);
      if (!abort.signal.aborted) setCheck(answer);
    };
    background(settle(), 'the room check');
    return () => abort.abort();
  }, [roomId]);
  return check;
}
