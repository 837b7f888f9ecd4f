import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../e2e/support/appBuild.ts';

/** The JS files of a build that mention `text`. */
function jsMentioning(dir: string, text: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .filter((file) => readFileSync(path.join(dir, file), 'utf8').includes(text));
}

describe('the app build', () => {
  // The production flavour is `vite build` as scripts/setup.mjs runs it for `npm start`.
  it('leaves the __parley debug hook out of production, in for tests', () => {
    expect(jsMentioning(buildApp('production'), '__parley')).toEqual([]);
    // The same search finds it where it is meant to be, so the check above can fail.
    expect(jsMentioning(buildApp('debug'), '__parley')).not.toEqual([]);
  }, 180_000);
});
