import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Client-side routes: these paths get the app shell. */
const APP_ROUTES = [/^\/$/, /^\/r\/[^/]+\/?$/, /^\/watch\/[^/]+\/?$/, /^\/sign(in|up)\/?$/];

/**
 * Serves the built PWA. Hashed assets are immutable; the shell, manifest and service worker
 * are revalidated every time so a new version is picked up.
 */
export class StaticFiles {
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  /** Resolves a URL path to a file under the root, or undefined (including every traversal). */
  resolve(urlPath: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    if (APP_ROUTES.some((re) => re.test(decoded))) decoded = '/index.html';
    const file = path.resolve(this.#root, `.${path.posix.normalize(decoded)}`);
    return file.startsWith(this.#root + path.sep) ? file : undefined;
  }

  /** Writes the file and returns true, or returns false for the caller to 404. */
  async serve(urlPath: string, res: ServerResponse, head: boolean): Promise<boolean> {
    const file = this.resolve(urlPath);
    if (!file) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    const immutable = file.startsWith(path.join(this.#root, 'assets') + path.sep);
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (head) res.end();
    else createReadStream(file).pipe(res);
    return true;
  }
}
