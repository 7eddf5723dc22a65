import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do.
    alias: {
      carewindow: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      '@carewindow/policy': fileURLToPath(new URL('./src/domain/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One PostgreSQL for the whole run, shared with test files through provide/inject (DEVELOPERS.md).
    globalSetup: ['test/support/postgres-global-setup.ts'],
    // Set-up hooks start databases, gateway processes and a browser: on a busy 2-core machine one took over the
    // default 10 s. Tests keep their own timeouts.
    hookTimeout: 60_000,
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/domain/**/*.ts'],
      exclude: ['src/domain/**/*.test.ts'],
      reporter: ['text-summary', 'html'],
      // The policy core is the product's contract: every line of it is exercised by a test.
      thresholds: { 'src/domain/**/*.ts': { lines: 100 } },
    },
  },
})
