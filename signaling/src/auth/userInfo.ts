import type { UserInfo } from '@parley/protocol';
import type { UserRecord } from '../store/index.ts';

/** What the API may show of a user: never the hash. */
export function userInfo({ id, email, name }: UserRecord): UserInfo {
  return { id, email, name };
}
