import { z } from 'zod';
import { SFU_CLIENT_SCHEMAS, SFU_SERVER_SCHEMAS } from './sfu.ts';
import { WALKIE_CLIENT_SCHEMAS, WALKIE_SERVER_SCHEMAS } from './walkie.ts';
import { CLASSROOM_CLIENT_SCHEMAS, CLASSROOM_SERVER_SCHEMAS } from './classroom.ts';
import { POLL_CLIENT_SCHEMAS, POLL_SERVER_SCHEMAS } from './polls.ts';
import { BOARD_CLIENT_SCHEMAS, BOARD_SERVER_SCHEMAS } from './board.ts';
import { RECORDING_CLIENT_SCHEMAS, RECORDING_SERVER_SCHEMAS } from './recording.ts';
import {
  ChatAckSchema,
  ChatBroadcastSchema,
  ChatHistorySchema,
  ChatSendSchema,
  ChatSyncSchema,
} from './chat.ts';
import {
  MediaAckSchema,
  MediaUpdateSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  PeerUpdatedSchema,
  SignalRelaySchema,
  SignalSchema,
  UplinkUpdateSchema,
} from './peers.ts';
import {
  ErrorMessageSchema,
  HelloSchema,
  IceRefreshSchema,
  IceServersSchema,
  JoinSchema,
  JoinedSchema,
  LeaveSchema,
  LeftSchema,
  NetCheckSchema,
  PingSchema,
  PongSchema,
  ResumeSchema,
  WelcomeSchema,
} from './session.ts';
import {
  AdmitAllSchema,
  AdmitSchema,
  AllowUnmuteSchema,
  BroadcastSchema,
  BroadcastStateSchema,
  DenySchema,
  EndSchema,
  LobbySchema,
  MuteSchema,
  MutedSchema,
  OkSchema,
  RemoveSchema,
  RemovedSchema,
  RoleChangedSchema,
  SetRoleSchema,
  SettingsChangedSchema,
  UnmuteAllowedSchema,
  UpdateSettingsSchema,
  WaitingSchema,
} from './hostControls.ts';

export * from './shapes.ts';
export * from './session.ts';
export * from './peers.ts';
export * from './chat.ts';
export * from './hostControls.ts';

// The two message unions, one per direction: every message a client or the server may send.
// Each feature's schemas live in its own module (shapes, session, peers, chat, hostControls,
// and sfu, walkie, classroom, polls, board, recording); the order of the unions is kept.

// ---------- client -> server ----------

export const ClientMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  JoinSchema,
  ResumeSchema,
  IceRefreshSchema,
  NetCheckSchema,
  LeaveSchema,
  SignalSchema,
  ChatSendSchema,
  ChatSyncSchema,
  MediaUpdateSchema,
  UplinkUpdateSchema,
  UpdateSettingsSchema,
  BroadcastSchema,
  AdmitSchema,
  AdmitAllSchema,
  DenySchema,
  MuteSchema,
  AllowUnmuteSchema,
  RemoveSchema,
  SetRoleSchema,
  EndSchema,
  PingSchema,
  ...SFU_CLIENT_SCHEMAS,
  ...WALKIE_CLIENT_SCHEMAS,
  ...CLASSROOM_CLIENT_SCHEMAS,
  ...POLL_CLIENT_SCHEMAS,
  ...BOARD_CLIENT_SCHEMAS,
  ...RECORDING_CLIENT_SCHEMAS,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

// ---------- server -> client ----------

export const ServerMessageSchema = z.discriminatedUnion('type', [
  WelcomeSchema,
  JoinedSchema,
  LeftSchema,
  IceServersSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  PeerUpdatedSchema,
  SignalRelaySchema,
  ChatAckSchema,
  ChatBroadcastSchema,
  ChatHistorySchema,
  MediaAckSchema,
  PongSchema,
  ErrorMessageSchema,
  SettingsChangedSchema,
  BroadcastStateSchema,
  WaitingSchema,
  LobbySchema,
  RemovedSchema,
  MutedSchema,
  UnmuteAllowedSchema,
  RoleChangedSchema,
  OkSchema,
  ...SFU_SERVER_SCHEMAS,
  ...WALKIE_SERVER_SCHEMAS,
  ...CLASSROOM_SERVER_SCHEMAS,
  ...POLL_SERVER_SCHEMAS,
  ...BOARD_SERVER_SCHEMAS,
  ...RECORDING_SERVER_SCHEMAS,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;
