import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed link downloads: the composite video or its audio-only copy. */
export type RecordingFile = 'mp4' | 'm4a';

/** How long a download link works (a click now, or a download manager's retries). */
export const LINK_TTL_MS = 60 * 60_000;

/**
 * Signed, expiring download links (issue 18): `/api/recordings/<id>/<file>?exp=<ms>&sig=<hmac>`.
 * A plain link, so a browser downloads with its own progress and Range retries, and no secret
 * sits in it: the signature covers the id, the file and the expiry, under a key derived from
 * the server's secret (every node of a cluster signs and checks alike).
 */
export class RecordingLinks {
  readonly #key: Buffer;

  constructor(secret: Uint8Array | string) {
    this.#key = createHmac('sha256', secret).update('parley recording links').digest();
  }

  sign(id: string, file: RecordingFile, now = Date.now()): { path: string; expiresAt: number } {
    const expiresAt = now + LINK_TTL_MS;
    const sig = this.#mac(id, file, expiresAt);
    return { path: `/api/recordings/${id}/${file}?exp=${expiresAt}&sig=${sig}`, expiresAt };
  }

  /** True when `sig` is this server's for that id, file and expiry, and it has not expired. */
  verify(
    id: string,
    file: RecordingFile,
    exp: string | null,
    sig: string | null,
    now = Date.now(),
  ) {
    if (!exp || !sig || !/^\d{1,15}$/.test(exp)) return false;
    const expiresAt = Number(exp);
    if (expiresAt < now) return false;
    const want = Buffer.from(this.#mac(id, file, expiresAt));
    const got = Buffer.from(sig);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  #mac(id: string, file: RecordingFile, expiresAt: number): string {
    return createHmac('sha256', this.#key)
      .update(`${id}\n${file}\n${expiresAt}`)
      .digest('base64url');
  }
}
