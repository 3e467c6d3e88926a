import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Real QEMU boots share two cores; the integration files serialise themselves.
    testTimeout: 30_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
