// Lint keeps the boundaries DESIGN.md draws, besides the usual correctness rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.pitchey/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/kit/*', '!**/kit/index.js'], message: 'Services import shared code from kit/index.js only.' },
          { group: ['**/jobs/*', '**/gateway/*', '**/deploy/*', '**/cli/*'], message: 'Services reach shared code through kit/index.js.' },
        ],
      }],
    },
  },
  {
    files: ['src/deploy/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fastify', 'better-sqlite3', '**/adapters/*'], message: 'The deploy engine is pure: no I/O, no adapters.' },
        ],
      }],
    },
  },
);
