import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const core = fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url));
const coreDir = fileURLToPath(new URL('./packages/core/src/', import.meta.url));
const widget = fileURLToPath(new URL('./packages/widget/src/index.ts', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@madoguchi\/core$/, replacement: core },
      { find: /^@madoguchi\/core\/(.*)$/, replacement: `${coreDir}$1` },
      { find: /^madoguchi$/, replacement: widget },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/**/*.test.{ts,tsx}', 'examples/**/*.test.{ts,mjs}', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // A real browser on a busy 2-core machine: a test that fails once is run once more.
          retry: 1,
        },
      },
    ],
  },
});
