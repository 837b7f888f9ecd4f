import type {
  CreateRoomRequest,
  CreateRoomResponse,
  CreateTeamRequest,
  CreateTeamResponse,
  OwnedRoom,
} from '@parley/protocol';
import { session } from './auth/session.ts';
import { apiErrorOf } from './auth/authState.ts';
import { roomSecrets } from './roomSecrets.ts';

/**
 * `POST /api/rooms` (signed in: with the bearer token, so the account owns the room); throws
 * with a readable message when the server or network fails.
 */
export function createRoom(request: CreateRoomRequest): Promise<CreateRoomResponse> {
  return postCreate('/api/rooms', request, 'a room');
}

/** `POST /api/teams`: a walkie-talkie team, as createRoom makes a room. */
export function createTeam(request: CreateTeamRequest): Promise<CreateTeamResponse> {
  return postCreate('/api/teams', request, 'a team');
}

async function postCreate(
  path: string,
  request: CreateRoomRequest | CreateTeamRequest,
  what: string,
): Promise<CreateRoomResponse> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  };
  const res = session.current ? await session.authFetch(path, init) : await fetch(path, init);
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = apiErrorOf(body)?.message;
    throw new Error(
      `The server could not create ${what} (HTTP ${res.status}${detail ? `: ${detail}` : ''}).`,
    );
  }
  if (!isCreateRoomResponse(body)) throw new Error('The server sent an unexpected reply.');
  return body;
}

/** `GET /api/me/rooms`: the signed-in user's rooms, newest first. */
export async function fetchMyRooms(): Promise<OwnedRoom[]> {
  const res = await session.authFetch('/api/me/rooms', { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = (await res.json()) as { rooms?: unknown };
  if (!Array.isArray(body.rooms)) throw new Error('unexpected reply');
  return body.rooms.filter(isOwnedRoom);
}

function isOwnedRoom(v: unknown): v is OwnedRoom {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    (typeof r.title === 'string' || r.title === null) &&
    typeof r.createdAt === 'number'
  );
}

function isCreateRoomResponse(v: unknown): v is CreateRoomResponse {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.hostKey === 'string';
}

/** Host keys and room passwords: see roomSecrets.ts for where and how long they are kept. */
export function saveHostKey(roomId: string, hostKey: string): void {
  roomSecrets.saveHostKey(roomId, hostKey);
}

export function loadHostKey(roomId: string): string | undefined {
  return roomSecrets.loadHostKey(roomId);
}

/**
 * The password of a room this tab created or changed, so that its host need not type it again
 * (joining asks everyone for it, hosts too); gone when the tab closes.
 */
export function saveRoomPassword(roomId: string, password: string | null): void {
  roomSecrets.saveRoomPassword(roomId, password);
}

export function loadRoomPassword(roomId: string): string | undefined {
  return roomSecrets.loadRoomPassword(roomId);
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

export function safeRemove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Storage unavailable: nothing was remembered.
  }
}

const NAME_KEY = 'parley.name';

/** The name this browser last joined a room or team with (null: none yet). */
export function savedName(): string | null {
  return safeGet(NAME_KEY);
}

export function saveName(name: string): void {
  safeSet(NAME_KEY, name);
}
