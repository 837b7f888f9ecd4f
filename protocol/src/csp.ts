import { config } from 'zod/v4/core';

/**
 * For the browser, before the protocol's schemas are built (so before `@parley/protocol` is
 * imported by anything that runs): zod decides while building an object schema whether to
 * compile its parser with `new Function`, and finds out whether it may by trying one. Under
 * the app's Content-Security-Policy (no 'unsafe-eval', issue 14) the try is refused and
 * reported as a violation even though zod catches it; jitless parsing never tries. Its own
 * entry point (`@parley/protocol/csp`), so the app's first chunk does not carry the schemas.
 * The server keeps the compiled parsers.
 */
export function parseWithoutEval(): void {
  config({ jitless: true });
}
