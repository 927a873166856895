// Lint keeps the boundaries DESIGN.md draws, besides the usual correctness rules. TypeScript is
// linted with type information (floating promises, exhaustive switches); plain .mjs/.js is not.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders whose index.ts is their public face (DESIGN.md, STYLE.md): other folders import only that. */
const FACES = ['kit', 'jobs', 'gateway', 'ffmpeg', 'sandbox', 'engine', 'checks', 'backup', 'smoke', 'image'];
const throughFaces = [
  ...FACES.map((f) => ({
    // kit/roles.ts is a leaf of constants: the CLI's command table reads it before anything loads.
    group: [`**/${f}/*`, `!**/${f}/index.js`, ...(f === 'kit' ? ['!**/kit/light.js', '!**/kit/roles.js'] : [])],
    message: `Import ${f}/ through its index.js: a folder's index.ts is its public face${f === 'kit' ? ' (kit/light.js is the light face for fast-starting commands; kit/roles.js a leaf of constants)' : ''}.`,
  })),
  { group: ['**/services/*/*', '!**/services/*/index.js'], message: 'A service is reached through its index.ts (services/index.ts loads it).' },
];
const compositionRoot = { group: ['**/platform/embedded.js'], message: 'platform/embedded.ts is the composition root: it wires, and only cli/up.ts imports it.' };
/** One rule entry per file group: a later flat-config block replaces the rule's options, it does not add to them. */
const boundaries = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [...throughFaces, compositionRoot, ...patterns] }] });
const outerLayers = (who) => ({
  group: ['**/services/**', '**/gateway/**', '**/deploy/**', '**/cli/**', '**/platform/**'],
  message: `${who} is shared below the services, gateway, deploy, cli and platform: it imports none of them.`,
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.pitchey/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'no-console': 'off',
    },
  },
  { files: ['src/**/*.ts'], rules: boundaries() },
  { files: ['src/cli/up.ts'], rules: { 'no-restricted-imports': ['error', { patterns: throughFaces }] } },
  { files: ['src/kit/**/*.ts'], rules: boundaries(outerLayers('The kit'), { group: ['**/sandbox/**', '**/ffmpeg/**'], message: 'The kit is below sandbox/ and ffmpeg/.' }) },
  { files: ['src/jobs/**/*.ts'], rules: boundaries(outerLayers('jobs/'), { group: ['**/kit/**'], message: 'jobs/ is below the kit (the kit wires jobs into services).' }) },
  { files: ['src/ffmpeg/**/*.ts', 'src/sandbox/**/*.ts'], rules: boundaries(outerLayers('This layer')) },
  {
    files: ['src/services/**/*.ts'],
    rules: boundaries(
      { group: ['**/kit/light.js'], message: 'Services import shared code from kit/index.js only.' },
      {
        group: ['**/jobs/**', '**/gateway/**', '**/deploy/**', '**/cli/**', '**/platform/**'],
        message: 'Services reach shared code through kit/index.js (and ffmpeg/, sandbox/ through their index.js).',
      },
      { regex: '^(\\.\\./)+(video|document|ai|media|code)/', message: 'A service does not import another service; shared code goes in the kit.' },
    ),
  },
  {
    // The data plane: it knows the deploy engine's vocabulary (tracks, windows) as types only.
    files: ['src/gateway/**/*.ts'],
    rules: boundaries(
      { group: ['**/deploy/**'], allowTypeImports: true, message: "The gateway uses only the deploy engine's types (import type … from deploy/engine/index.js)." },
      { group: ['**/services/**', '**/cli/**', '**/platform/**', '**/jobs/**'], message: 'The gateway routes to services over HTTP; it imports none of them.' },
    ),
  },
  { files: ['src/deploy/**/*.ts'], rules: boundaries({ group: ['**/cli/**', '**/services/*/**'], message: 'deploy/ is below the CLI and reaches services over HTTP.' }) },
  {
    files: ['src/deploy/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // kit/roles.ts (tracks, sign-off roles) and kit/quantile.ts are leaves the engine shares with the rest.
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./\\.\\./kit/(roles|quantile)\\.js$)',
              message: "The deploy engine is pure: it imports only its own files and the kit's roles.ts and quantile.ts leaves (no node:*, fastify, database, adapters or kit I/O).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read answers as parsed JSON (light-my-request's `res.json()` is `any`) and assert on
    // their shape, which is the check the no-unsafe-* rules would add; their doubles implement async
    // ports (job handlers, backends, routes) with canned answers, so `async` without `await` is the contract.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
