// Where this browser keeps the secrets of rooms it created (issue 14: not in localStorage longer
// than needed). The host key is the only thing that makes an anonymous creator host, and a
// creator often comes back from another tab or after a restart, so it stays in localStorage,
// but only for a day after its last use (one in the old form, kept forever, gets a day from
// now); then it goes.
// The room password only saves the creator typing it again: it lives in this tab's
// sessionStorage and is gone with the tab.

/** The part of the Web Storage API used here (tests pass a Map-backed one). */
export interface KeyValueStore {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const HOST_KEY_PREFIX = 'parley.hostKey.';
const PASSWORD_PREFIX = 'parley.roomPassword.';
/** A host key unused for this long is forgotten: the meeting it was for is over. */
export const HOST_KEY_TTL_MS = 24 * 60 * 60 * 1000;

interface StoredHostKey {
  hostKey: string;
  expires: number;
}

/** A stored host key; one in the old form (the bare key) counts from `now`. */
function parseHostKey(raw: string | null, now: number): StoredHostKey | undefined {
  if (!raw) return undefined;
  if (!raw.startsWith('{')) return { hostKey: raw, expires: now + HOST_KEY_TTL_MS };
  try {
    const value = JSON.parse(raw) as Partial<StoredHostKey> | null;
    if (typeof value?.hostKey === 'string' && typeof value.expires === 'number') {
      return { hostKey: value.hostKey, expires: value.expires };
    }
  } catch {
    // Unreadable: forgotten below.
  }
  return undefined;
}

/** Storage can throw (private mode, quota, disabled): losing a secret must not break the app. */
function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export class RoomSecrets {
  constructor(
    private readonly local: () => KeyValueStore,
    private readonly tab: () => KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The creator keeps the room's host key so that its `join` makes it host. */
  saveHostKey(roomId: string, hostKey: string): void {
    const stored: StoredHostKey = { hostKey, expires: this.now() + HOST_KEY_TTL_MS };
    attempt(
      () => this.local().setItem(HOST_KEY_PREFIX + roomId, JSON.stringify(stored)),
      undefined,
    );
  }

  /** The host key while it is fresh (each use keeps it another day); undefined otherwise. */
  loadHostKey(roomId: string): string | undefined {
    const key = HOST_KEY_PREFIX + roomId;
    const stored = parseHostKey(
      attempt(() => this.local().getItem(key), null),
      this.now(),
    );
    if (!stored || stored.expires <= this.now()) {
      attempt(() => this.local().removeItem(key), undefined);
      return undefined;
    }
    this.saveHostKey(roomId, stored.hostKey);
    return stored.hostKey;
  }

  /** The password of a room this tab created or changed (null forgets it). */
  saveRoomPassword(roomId: string, password: string | null): void {
    const key = PASSWORD_PREFIX + roomId;
    attempt(() => {
      if (password === null) this.tab().removeItem(key);
      else this.tab().setItem(key, password);
    }, undefined);
  }

  loadRoomPassword(roomId: string): string | undefined {
    return attempt(() => this.tab().getItem(PASSWORD_PREFIX + roomId), null) ?? undefined;
  }

  /**
   * At start: removes from localStorage every room password (older versions kept them there
   * for good) and every host key that has expired; an old-form one gets its expiry.
   */
  purge(): void {
    attempt(() => {
      const local = this.local();
      const keys = Array.from({ length: local.length }, (_, i) => local.key(i) ?? '');
      for (const key of keys) {
        if (key.startsWith(PASSWORD_PREFIX)) local.removeItem(key);
        if (!key.startsWith(HOST_KEY_PREFIX)) continue;
        const stored = parseHostKey(local.getItem(key), this.now());
        if (!stored || stored.expires <= this.now()) local.removeItem(key);
        else local.setItem(key, JSON.stringify(stored));
      }
    }, undefined);
  }
}

/** This browser's secrets: localStorage for host keys, the tab's sessionStorage for passwords. */
export const roomSecrets = new RoomSecrets(
  () => localStorage,
  () => sessionStorage,
);
