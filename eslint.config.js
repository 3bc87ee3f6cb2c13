// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'net',
  'http',
  'https',
  'url',
  'events',
  'stream',
  'util',
  'worker_threads',
];
const pattern = (group, message) => ({ group, message });

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'out',
      'dist',
      'release',
      'coverage',
      'test-results',
      'playwright-report',
      '.data',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  // Import boundaries (ARCHITECTURE.md): shared is environment-free; renderer never reaches into
  // main or hub; only the Electron shell imports `electron`.
  {
    files: ['src/shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              [
                ...nodeBuiltins,
                'electron',
                'better-sqlite3',
                'ws',
                'fastify',
                'react',
                'react-dom',
                'pg',
                '@electric-sql/*',
              ],
              'src/shared must stay environment-free (no node, DOM, electron or server libraries).',
            ),
            pattern(
              ['**/main/**', '**/hub/**', '**/renderer/**', '**/preload/**'],
              'src/shared imports nothing from the processes.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['**/main/**', '**/hub/**', '**/preload/**'],
              'The renderer talks to main only through the bridge.',
            ),
            pattern(
              [...nodeBuiltins, 'electron', 'better-sqlite3', 'ws', 'fastify', 'pg'],
              'The renderer runs in a sandboxed page: no node or electron modules.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(['electron'], 'The hub is a server: no electron.'),
            pattern(
              ['**/main/**', '**/renderer/**', '**/preload/**'],
              'The hub does not import desktop code.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['electron'],
              'Only the Electron shell (src/main/index.ts, src/main/electron/) imports electron: it downloads its binary on import.',
            ),
            pattern(
              ['**/renderer/**', '**/preload/**', '**/hub/**'],
              'main does not import renderer, preload or hub code (the demo hub runs as its own process).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/index.ts', 'src/main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['**/renderer/**', '**/hub/**'],
              'The Electron shell starts the hub as a separate process, never imports it.',
            ),
          ],
        },
      ],
    },
  },
);
