import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
