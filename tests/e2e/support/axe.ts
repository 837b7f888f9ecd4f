import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  tags: string[];
  nodes: { target: unknown[] }[];
}

/**
 * axe-core over `page` as it is now, with the rule of a11y.test.ts: serious or critical
 * violations of WCAG 2.1 A/AA, one readable line each (empty: clean). `page.evaluate` runs
 * outside the page's Content-Security-Policy, so axe needs no inline script.
 */
export async function wcagViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const { axe } = globalThis as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Violation[] }> };
    };
    const document = (globalThis as unknown as { document: unknown }).document;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations;
  }, WCAG_TAGS);
  return violations
    .filter((v) => FAILING_IMPACTS.has(v.impact ?? ''))
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target).join(', ')}`);
}

/** A laptop's and a phone's screen, where every new screen is looked at. */
export const SCREEN_SIZES = {
  laptop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * `wcagViolations` at both SCREEN_SIZES, each line prefixed with `name @ size`; with `shots`
 * (a folder, usually from an environment variable) also a full-page screenshot of each,
 * `<name>-<size>.png`. Leaves the page at the laptop's size.
 */
export async function wcagAtBothSizes(page: Page, name: string, shots?: string): Promise<string[]> {
  const found: string[] = [];
  if (shots) mkdirSync(shots, { recursive: true });
  for (const [size, viewport] of Object.entries(SCREEN_SIZES)) {
    await page.setViewportSize(viewport);
    found.push(...(await wcagViolations(page)).map((line) => `${name} @ ${size}: ${line}`));
    if (shots) await page.screenshot({ path: `${shots}/${name}-${size}.png`, fullPage: true });
  }
  await page.setViewportSize(SCREEN_SIZES.laptop);
  return found;
}
