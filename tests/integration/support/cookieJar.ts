/**
 * A browser's cookies for fetch(): stored per host (any port, as browsers do) and path, sent
 * back where they apply, removed by Max-Age=0. Enough for following sign-in redirects between
 * two loopback servers; SameSite is the browser's business (the e2e test covers it).
 */
export class CookieJar {
  readonly #cookies = new Map<
    string,
    { host: string; path: string; name: string; value: string }
  >();

  /** fetch() without following redirects, with this jar's cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const header = [...this.#cookies.values()]
      .filter((c) => c.host === target.hostname && target.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (header) headers.set('cookie', header);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#store(target, line);
    return res;
  }

  /** The value of cookie `name`, if the jar holds one. */
  get(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value;
  }

  /** Puts a cookie back (a test replaying an old one). */
  set(url: string, name: string, value: string, path = '/'): void {
    const host = new URL(url).hostname;
    this.#cookies.set(`${host} ${path} ${name}`, { host, path, name, value });
  }

  #store(from: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
    const path = attribute('path') ?? '/';
    const key = `${from.hostname} ${path} ${name}`;
    const gone = attribute('max-age') === '0' || /expires=thu, 01 jan 1970/i.test(line);
    if (gone || value === '') this.#cookies.delete(key);
    else this.#cookies.set(key, { host: from.hostname, path, name, value });
  }
}
