import type { RoomId } from './ids.ts';
import type { RoomMode } from './messages.ts';

/** `POST /api/rooms` reply. Keep `hostKey` secret: whoever presents it on `join` is host. */
export interface CreateRoomResponse {
  id: RoomId;
  hostKey: string;
}

/** `GET /api/rooms/:id` reply. */
export interface RoomStatus {
  id: RoomId;
  mode: RoomMode;
  admitted: number;
  live: boolean;
  /** Viewers of the broadcast seen in the last 30 s (`POST /api/rooms/:id/viewers`). */
  viewers: number;
}
