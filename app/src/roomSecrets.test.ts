import { describe, expect, it } from 'vitest';
import { HOST_KEY_TTL_MS, RoomSecrets } from './roomSecrets.ts';
import type { KeyValueStore } from './roomSecrets.ts';

class MemoryStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

function setup() {
  const local = new MemoryStore();
  const tab = new MemoryStore();
  let now = 1_000_000;
  const secrets = new RoomSecrets(
    () => local,
    () => tab,
    () => now,
  );
  return { local, tab, secrets, advance: (ms: number) => (now += ms) };
}

describe('RoomSecrets (issue 14: host keys and passwords not kept longer than needed)', () => {
  it('never puts a room password in localStorage: it lives in the tab only', () => {
    const { local, tab, secrets } = setup();
    secrets.saveRoomPassword('room1', 'open sesame');
    expect([...local.map.values()].join()).not.toContain('open sesame');
    expect(secrets.loadRoomPassword('room1')).toBe('open sesame');
    secrets.saveRoomPassword('room1', null);
    expect(secrets.loadRoomPassword('room1')).toBeUndefined();
    expect(tab.map.size).toBe(0);
  });

  it('keeps a host key for a day after its last use, then forgets it', () => {
    const { local, secrets, advance } = setup();
    secrets.saveHostKey('room1', 'key-1');
    advance(HOST_KEY_TTL_MS - 1000);
    expect(secrets.loadHostKey('room1')).toBe('key-1'); // used: another day from now
    advance(HOST_KEY_TTL_MS - 1000);
    expect(secrets.loadHostKey('room1')).toBe('key-1');
    advance(HOST_KEY_TTL_MS + 1);
    expect(secrets.loadHostKey('room1')).toBeUndefined();
    expect(local.map.size).toBe(0);
  });

  it('purges what older versions left: passwords at once, bare host keys after a day', () => {
    const { local, secrets, advance } = setup();
    local.setItem('parley.roomPassword.room1', 'open sesame');
    local.setItem('parley.hostKey.room1', 'bare-key');
    local.setItem('parley.hostKey.room2', '{broken');
    local.setItem('parley.name', 'Ada');
    secrets.purge();
    expect(local.getItem('parley.roomPassword.room1')).toBeNull();
    expect(local.getItem('parley.hostKey.room2')).toBeNull();
    expect(local.getItem('parley.name')).toBe('Ada');
    expect(secrets.loadHostKey('room1')).toBe('bare-key');
    advance(HOST_KEY_TTL_MS + 1);
    secrets.purge();
    expect([...local.map.keys()]).toEqual(['parley.name']);
  });

  it('loses nothing but the secret when storage throws', () => {
    const broken = (): KeyValueStore => {
      throw new Error('SecurityError');
    };
    const secrets = new RoomSecrets(broken, broken);
    expect(() => secrets.saveHostKey('room1', 'k')).not.toThrow();
    expect(secrets.loadHostKey('room1')).toBeUndefined();
    expect(() => secrets.saveRoomPassword('room1', 'p')).not.toThrow();
    expect(secrets.loadRoomPassword('room1')).toBeUndefined();
    expect(() => secrets.purge()).not.toThrow();
  });
});
