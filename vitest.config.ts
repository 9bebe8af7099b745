import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests drive real daemons, registries and containers as root; run files
    // one at a time so kernel state (mounts, cgroups) is not contended.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: [],
    setupFiles: ['test/fixtures/host-guard.ts'],
  },
});
