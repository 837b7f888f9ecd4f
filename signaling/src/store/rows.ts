import type { ChatMessage, ClientMessageId, PeerId, RoomId } from '@parley/protocol';
import { parseSettings } from './settings.ts';
import type { IdentityLink, RoomRecord, UserRecord } from './types.ts';

/**
 * The tables' rows as both engines return them (the same column names), and the records the
 * storage interfaces hand out. One mapping, so the engines cannot drift apart.
 */

export const CHAT_COLUMNS = 'seq, client_id, peer_id, name, text, ts';
export const ROOM_COLUMNS =
  'id, host_key_hash, created_at, owner_id, title, settings, password_hash';
export const USER_COLUMNS = 'id, email, name, password_hash, created_at';
export const IDENTITY_COLUMNS = 'issuer, subject, user_id, linked_at';

export interface ChatRow {
  seq: number;
  client_id: string;
  peer_id: string;
  name: string;
  text: string;
  ts: number;
}

export interface RoomRow {
  id: string;
  host_key_hash: string;
  created_at: number;
  owner_id: string | null;
  title: string | null;
  /** SQLite: JSON text; PostgreSQL: the parsed JSONB. */
  settings: unknown;
  password_hash: string | null;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

export function chatMessageOf(row: ChatRow): ChatMessage {
  return {
    seq: row.seq,
    clientId: row.client_id as ClientMessageId,
    from: row.peer_id as PeerId,
    name: row.name,
    text: row.text,
    ts: row.ts,
  };
}

export function roomRecordOf(row: RoomRow): RoomRecord {
  return {
    id: row.id as RoomId,
    hostKeyHash: row.host_key_hash,
    createdAt: row.created_at,
    ownerId: row.owner_id,
    title: row.title,
    settings: parseSettings(row.settings),
    passwordHash: row.password_hash,
  };
}

export function userRecordOf(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

export interface IdentityRow {
  issuer: string;
  subject: string;
  user_id: string;
  linked_at: number;
}

export function identityLinkOf(row: IdentityRow): IdentityLink {
  return {
    issuer: row.issuer,
    subject: row.subject,
    userId: row.user_id,
    linkedAt: row.linked_at,
  };
}
