import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { startTestServer } from './server.ts';
import type { TestServer, TestServerOptions } from './server.ts';

export interface Harness {
  /** Set in beforeAll: read them inside tests, not at describe time. */
  readonly server: TestServer;
  readonly browser: Browser;
}

/**
 * The usual setting of an end-to-end file: one real server and one Chromium for the whole
 * describe block, both closed after it.
 */
export function useServerAndBrowser(options: TestServerOptions = {}): Harness {
  const harness = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    harness.server = await startTestServer(options);
    harness.browser = await launchChromium();
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.close();
  });
  return harness;
}
