import type { CreateRoomResponse } from '@parley/protocol';

const HOST_KEY_PREFIX = 'parley.hostKey.';

/** `POST /api/rooms`; throws with a readable message when the server or network fails. */
export async function createRoom(): Promise<CreateRoomResponse> {
  const res = await fetch('/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`The server could not create a room (HTTP ${res.status}).`);
  const body: unknown = await res.json();
  if (!isCreateRoomResponse(body)) throw new Error('The server sent an unexpected reply.');
  return body;
}

function isCreateRoomResponse(v: unknown): v is CreateRoomResponse {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.hostKey === 'string';
}

/** The creator keeps the room's host key so that its `join` makes it host. */
export function saveHostKey(roomId: string, hostKey: string): void {
  safeSet(HOST_KEY_PREFIX + roomId, hostKey);
}

export function loadHostKey(roomId: string): string | undefined {
  return safeGet(HOST_KEY_PREFIX + roomId) ?? undefined;
}

/** localStorage can throw (private mode, quota); losing a preference must not break the app. */
export function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage unavailable: the value is simply not remembered.
  }
}
