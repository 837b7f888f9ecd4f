// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

const ROOT = import.meta.dirname;

/**
 * Layers (issue 12, item 3). `app/` is a browser bundle: of our packages it may use only the
 * protocol. Signaling is the top of the server stack: nothing below it may reach up into it.
 * The protocol is the bottom: it depends on no other workspace. Paths are resolved, so a
 * package name (`@parley/signaling`) and a relative path (`../../signaling/src/x.ts`) are
 * caught alike.
 */
const layerZones = [
  {
    target: './app',
    from: '.',
    except: ['app', 'protocol', 'node_modules'],
    message: 'app/ may import only @parley/protocol of our packages.',
  },
  {
    target: ['./sfu', './hls-gateway', './recorder', './turn', './protocol'],
    from: './signaling',
    message:
      'signaling/ is the top layer: sfu, hls-gateway, recorder, turn and protocol never import it.',
  },
  {
    target: './protocol',
    from: '.',
    except: ['protocol', 'node_modules'],
    message: 'protocol/ is the bottom layer: it imports no other workspace.',
  },
];

/** Runtime code never reaches into the tooling: build scripts, local deploy, test suites. */
const runtimeZones = [
  {
    target: '.',
    from: ['./scripts', './deploy', './tests'],
    message: 'Runtime code (*/src) does not import scripts/, deploy/ or tests/.',
  },
];

/** Everything under a workspace's src/ that ships, i.e. not a test. */
const RUNTIME_FILES = ['{protocol,turn,sfu,hls-gateway,recorder,signaling,app}/src/**/*.{ts,tsx}'];
const TEST_FILES = ['**/*.test.{ts,tsx}'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.cache/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['app/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // Imports: no cycles, and the layers above. Type-only imports are not followed by no-cycle
  // (they vanish at runtime) but are checked by the layer zones.
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.d.mts'] }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: layerZones }],
    },
  },
  {
    files: RUNTIME_FILES,
    ignores: TEST_FILES,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: ROOT, zones: [...layerZones, ...runtimeZones] },
      ],
    },
  },
  {
    // hls-gateway describes what it consumes with the SFU's types but borrows no code from it;
    // its tests do run a real Sfu.
    files: ['hls-gateway/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@parley/sfu',
              allowTypeImports: true,
              message: 'hls-gateway may import only types from @parley/sfu.',
            },
          ],
        },
      ],
    },
  },
  // Type-aware rules (issue 12, item 7). The whole repo lints in well under a minute, so they
  // hold everywhere, tests included.
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // A `default:` is a decision someone wrote down; what this catches is a switch that
      // silently skips a member added to the union later.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // Runtime code writes through a logger: signaling's structured Log, the app's log.ts, or a
    // package's default log (marked in place). Tools, scripts and tests print freely.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: [
      ...TEST_FILES,
      'tests/**',
      'scripts/**',
      'deploy/local/**',
      'app/scripts/**',
      'signaling/src/telemetry/log.ts',
      'app/src/log.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  {
    // A dropped promise goes through `background(promise, what)` (app/src/util, signaling/src/
    // util), which names it and logs its failure; a bare `void promise` hides both.
    files: RUNTIME_FILES,
    ignores: TEST_FILES,
    rules: { 'no-void': ['error', { allowAsStatement: false }] },
  },
);
