import { ERROR_CODES } from '@parley/protocol';
import type {
  ClientMessageType,
  ErrorCode,
  Role,
  RoomSettings,
  RoomSettingsChange,
} from '@parley/protocol';

/** Where a connection stands with its room. */
export type Standing =
  /** Connected, no `hello` yet. */
  | 'new'
  /** Greeted, in no room. */
  | 'outside'
  /** Held in a room's waiting room. */
  | 'waiting'
  /** In the meeting. */
  | 'admitted';

/** Who may send a message type. Each rule includes the ones below it in this list. */
export type Rule =
  /** Only before the handshake: `hello`, once. */
  | 'new'
  /** Any greeted socket. */
  | 'greeted'
  /** Greeted and not in a room: `join`, `resume`. */
  | 'outside'
  /** Waiting or admitted: `leave`. */
  | 'present'
  /** In the meeting, any role. */
  | 'admitted'
  /** In the meeting as host or co-host. */
  | 'moderator'
  /** In the meeting as host. */
  | 'host';

/**
 * The one table of who may send what. The connection checks every message against it before
 * any handler runs; settings that change per room (chat or screen sharing off for guests)
 * are checked by the handlers on top of it.
 */
export const RULES: Readonly<Record<ClientMessageType, Rule>> = {
  hello: 'new',
  ping: 'greeted',
  join: 'outside',
  resume: 'outside',
  leave: 'present',
  'ice-refresh': 'admitted',
  signal: 'admitted',
  chat: 'admitted',
  'chat-sync': 'admitted',
  media: 'admitted',
  uplink: 'admitted',
  // Before joining: a socket's one warm transport (see SfuRoom.openWarmTransport).
  'sfu-warm': 'outside',
  'sfu-warm-connect': 'outside',
  // Before joining: the pre-join connection check's ICE servers (a few per socket).
  'net-check': 'outside',
  'sfu-transport': 'admitted',
  'sfu-connect': 'admitted',
  'sfu-produce': 'admitted',
  'sfu-close-producer': 'admitted',
  'sfu-consume': 'admitted',
  'sfu-consumer-pause': 'admitted',
  'sfu-layers': 'admitted',
  'sfu-restart-ice': 'admitted',
  'channel-listen': 'admitted',
  'channel-unlisten': 'admitted',
  'floor-request': 'admitted',
  'floor-release': 'admitted',
  'floor-revoke': 'moderator',
  'channel-add': 'moderator',
  'channel-rename': 'moderator',
  'channel-remove': 'moderator',
  hand: 'admitted',
  'hand-lower': 'moderator',
  react: 'admitted',
  'poll-launch': 'moderator',
  'poll-vote': 'admitted',
  'poll-end': 'moderator',
  'poll-share': 'moderator',
  // Changing the board also needs the room's `draw` setting for guests (mayDraw).
  'board-sync': 'admitted',
  'board-present': 'moderator',
  'board-ticket': 'admitted',
  settings: 'moderator',
  admit: 'moderator',
  'admit-all': 'moderator',
  deny: 'moderator',
  mute: 'moderator',
  'allow-unmute': 'moderator',
  remove: 'moderator',
  broadcast: 'host',
  // Co-hosts too when the room's `cohostsRecord` is on (mayRecord).
  record: 'moderator',
  // Host only in a meeting; in a walkie-talkie team every admin (moderation.ts `setRole`).
  'set-role': 'moderator',
  end: 'host',
};

const MODERATORS: ReadonlySet<Role> = new Set(['host', 'cohost']);

/**
 * Undefined when a connection standing so, with that role (null outside a meeting), may send
 * `type`; otherwise the error code it gets.
 */
export function refusal(
  type: ClientMessageType,
  standing: Standing,
  role: Role | null,
): ErrorCode | undefined {
  const rule = RULES[type];
  if (standing === 'new') return rule === 'new' ? undefined : ERROR_CODES.HELLO_REQUIRED;
  switch (rule) {
    case 'new':
      return ERROR_CODES.ALREADY_HELLO;
    case 'greeted':
      return undefined;
    case 'outside':
      return standing === 'outside' ? undefined : ERROR_CODES.ALREADY_JOINED;
    case 'present':
      return standing === 'outside' ? ERROR_CODES.NOT_JOINED : undefined;
    case 'admitted':
    case 'moderator':
    case 'host':
      break; // all need a seat in the meeting, checked below
  }
  if (standing === 'outside') return ERROR_CODES.NOT_JOINED;
  if (standing === 'waiting') return ERROR_CODES.NOT_ADMITTED;
  if (rule === 'moderator' && !(role && MODERATORS.has(role))) return ERROR_CODES.FORBIDDEN;
  if (rule === 'host' && role !== 'host') return ERROR_CODES.FORBIDDEN;
  return undefined;
}

export function isModerator(role: Role): boolean {
  return MODERATORS.has(role);
}

/**
 * The host's own powers, on top of the table: which settings a co-host may change. The
 * password is the host's (a co-host can neither remove nor replace it: it is what keeps the
 * room private, and the host shares it). The switches of the meeting itself are both's.
 */
export const SETTING_RULES: Readonly<Record<keyof RoomSettingsChange, 'moderator' | 'host'>> = {
  waitingRoom: 'moderator',
  locked: 'moderator',
  screenShare: 'moderator',
  chat: 'moderator',
  selfUnmute: 'moderator',
  draw: 'moderator',
  // Whether co-hosts may record, and what the recording shows, are the host's to decide.
  cohostsRecord: 'host',
  recordingLayout: 'host',
  password: 'host',
};

/** The first setting of `change` that `role` may not change; undefined when all are allowed. */
export function forbiddenSetting(
  change: RoomSettingsChange,
  role: Role,
): keyof RoomSettingsChange | undefined {
  const keys = Object.keys(change) as (keyof RoomSettingsChange)[];
  return keys.find(
    (key) => change[key] !== undefined && SETTING_RULES[key] === 'host' && role !== 'host',
  );
}

/**
 * Whom a moderator may act on (the table checked the actor's role already): a co-host never
 * touches a host (no muting, no stopping the camera, no removal) and removes only guests; a host
 * may mute another host (a meeting can have two) but never removes one.
 */
export const TARGETS: Readonly<Record<'mute' | 'remove', Readonly<Record<Role, readonly Role[]>>>> =
  {
    mute: { host: ['host', 'cohost', 'guest'], cohost: ['cohost', 'guest'], guest: [] },
    remove: { host: ['cohost', 'guest'], cohost: ['guest'], guest: [] },
  };

export function mayTarget(action: 'mute' | 'remove', by: Role, target: Role): boolean {
  return TARGETS[action][by].includes(target);
}

/** Per-room settings on top of the table: co-hosts record only where the host allows it. */
export function mayRecord(settings: RoomSettings, role: Role): boolean {
  return role === 'host' || (role === 'cohost' && settings.cohostsRecord);
}

/** Per-room settings on top of the table: what guests may do when a host turned it off. */
export function mayShareScreen(settings: RoomSettings, role: Role): boolean {
  return settings.screenShare || isModerator(role);
}

export function mayChat(settings: RoomSettings, role: Role): boolean {
  return settings.chat || isModerator(role);
}

export function mayDraw(settings: RoomSettings, role: Role): boolean {
  return settings.draw || isModerator(role);
}

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  HELLO_REQUIRED: 'send hello first',
  ALREADY_HELLO: 'hello already received',
  ALREADY_JOINED: 'already in a room',
  NOT_JOINED: 'join a room first',
  NOT_ADMITTED: 'wait until a host lets you in',
};

/** The readable text that goes with a refusal. */
export function refusalText(code: ErrorCode, type: ClientMessageType): string {
  return REFUSALS[code] ?? `your role may not send ${type}`;
}
