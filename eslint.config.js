// Lint configuration: typescript-eslint's recommended rules, the project's ban on wall-clock time
// and raw timers outside the time module and the composition roots, and the one-way import arrows
// between the wings src/, controllers/ and envtest/ (scripts/lint/wing-boundaries.js).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

import wings from './scripts/lint/wing-boundaries.js';

const timeBan = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Use the injected Clock (src/time).' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Use the injected Clock (src/time).' },
    { name: 'setInterval', message: 'Use the injected Clock (src/time).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'controllers/**/*.ts', 'envtest/**/*.ts'],
    ignores: ['src/time/system-clock.ts', 'controllers/cli/**/*.ts'],
    rules: timeBan,
  },
  {
    files: ['src/**/*.ts', 'controllers/**/*.ts', 'envtest/**/*.ts'],
    plugins: { wings },
    rules: { 'wings/boundaries': 'error' },
  },
);
