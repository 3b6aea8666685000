import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Generous bounds: a loaded 2-core CI machine is slow; the tests themselves wait on events.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
