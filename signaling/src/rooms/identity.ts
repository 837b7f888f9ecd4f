/** Who someone is across joins: the browser's device id and, when signed in, the account. */
export interface Identity {
  deviceId?: string | undefined;
  userId?: string | undefined;
}

/** The keys bans and co-host marks are kept under: `d:<deviceId>`, `u:<userId>`. */
export function identityKeys(identity: Identity): string[] {
  const out: string[] = [];
  if (identity.deviceId) out.push(`d:${identity.deviceId}`);
  if (identity.userId) out.push(`u:${identity.userId}`);
  return out;
}

/** The identity stored keys stand for (the first of each kind). */
export function identityOf(keys: readonly string[]): Identity {
  const find = (prefix: string) => keys.find((k) => k.startsWith(prefix))?.slice(prefix.length);
  return { deviceId: find('d:'), userId: find('u:') };
}
