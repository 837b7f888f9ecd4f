import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

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

/** Text worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.webmanifest',
  '.svg',
  '.txt',
]);
/** Below this a compressed body saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024;
/** Compressed bodies kept; the built app has a few dozen files. */
const MAX_CACHED = 256;

type Encoding = 'br' | 'gzip';

/**
 * The encoding to send for an Accept-Encoding header: Brotli when the client takes it (every
 * current browser over HTTP/1.1 on localhost and HTTPS), else gzip, else none.
 */
export function pickEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    if (token && !refused) accepted.add(token);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

function compress(data: Buffer, encoding: Encoding): Promise<Buffer> {
  // Quality 9, not 11: within a few percent of the smallest, and fast enough to do on the
  // first request of a file (on the thread pool, once per file and build).
  if (encoding === 'br') {
    return brotli(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } });
  }
  return gzipAsync(data, { level: 9 });
}

/** Client-side routes: these paths get the app shell. */
const APP_ROUTES = [
  /^\/$/,
  /^\/r\/[^/]+\/?$/,
  /^\/r\/[^/]+\/recordings\/?$/,
  /^\/t\/[^/]+\/?$/,
  /^\/watch\/[^/]+\/?$/,
  /^\/sign(in|up)\/?$/,
  /^\/(forgot|reset)-password\/?$/,
];

/**
 * Serves the built PWA. Hashed assets are immutable; the shell, manifest and service worker
 * are revalidated every time so a new version is picked up.
 */
export class StaticFiles {
  readonly #root: string;
  /** Compressed bodies by encoding, file, size and mtime (a rebuild makes new keys). */
  readonly #compressed = new Map<string, Promise<Buffer>>();

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

  /**
   * Writes the file and returns true, or returns false for the caller to 404. Text files go
   * Brotli- or gzip-compressed when the client accepts it (the call page's JS: 428 KB -> ~100).
   */
  async serve(
    urlPath: string,
    res: ServerResponse,
    head: boolean,
    acceptEncoding?: string,
    status = 200,
  ): Promise<boolean> {
    const file = this.resolve(urlPath);
    if (!file) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    const immutable = file.startsWith(path.join(this.#root, 'assets') + path.sep);
    const ext = path.extname(file);
    const headers = {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    const compressible = COMPRESSIBLE.has(ext) && info.size >= MIN_COMPRESS_BYTES;
    const encoding = compressible ? pickEncoding(acceptEncoding) : undefined;
    if (!encoding) {
      res.writeHead(status, { ...headers, 'Content-Length': info.size, ...vary(compressible) });
      if (head) res.end();
      else createReadStream(file).pipe(res);
      return true;
    }
    const body = await this.#compressedBody(file, info, encoding);
    res.writeHead(status, {
      ...headers,
      'Content-Encoding': encoding,
      'Content-Length': body.length,
      ...vary(true),
    });
    res.end(head ? undefined : body);
    return true;
  }

  /**
   * A page the app does not have (a browser navigating to `/about`): the app shell with 404,
   * so the person sees the app's "Page not found" with its way home, and a crawler or a
   * script still reads a 404. Only for a request that asks for HTML at a path that does not
   * name a file (a missing `/assets/x.js` stays a plain 404).
   */
  async serveNotFoundPage(
    urlPath: string,
    accept: string | undefined,
    res: ServerResponse,
    head: boolean,
    acceptEncoding?: string,
  ): Promise<boolean> {
    const last = urlPath.slice(urlPath.lastIndexOf('/') + 1);
    if (!accept?.includes('text/html') || last.includes('.')) return false;
    return this.serve('/index.html', res, head, acceptEncoding, 404);
  }

  #compressedBody(
    file: string,
    info: { size: number; mtimeMs: number },
    encoding: Encoding,
  ): Promise<Buffer> {
    const key = `${encoding}:${info.size}:${info.mtimeMs}:${file}`;
    const cached = this.#compressed.get(key);
    if (cached) return cached;
    if (this.#compressed.size >= MAX_CACHED) this.#compressed.clear();
    const made = readFile(file).then((data) => compress(data, encoding));
    this.#compressed.set(key, made);
    made.catch(() => this.#compressed.delete(key));
    return made;
  }
}

/** Caches must keep the encodings apart for a file that can be sent either way. */
function vary(compressible: boolean): Record<string, string> {
  return compressible ? { Vary: 'Accept-Encoding' } : {};
}
