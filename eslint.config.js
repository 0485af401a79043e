import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'fs', message: 'Go through the FileSystem port.' },
            { name: 'fs/promises', message: 'Go through the FileSystem port.' },
            { name: 'node:fs', message: 'Go through the FileSystem port.' },
            { name: 'node:fs/promises', message: 'Go through the FileSystem port.' },
          ],
        },
      ],
    },
  },
  {
    // The client has no engine and no FileSystem port to go through: it only looks for the
    // project's socket and opens the service's log, and writes no data file.
    files: ['packages/client/src/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // A throw-away PostgreSQL server for tests and benchmarks: it runs initdb and pg_ctl and reads
    // /proc, never a document.
    files: ['packages/store-postgres/src/testing/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/__tests__/**', '**/tests/**', 'bench/**', '**/fixtures/**', '**/node-file-system.ts', 'examples/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
