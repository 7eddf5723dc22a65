import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * `npm run fuzz`: the fuzz suite's long run. `CAREWINDOW_FUZZ_RUNS` cases per store (default 100,000),
 * `CAREWINDOW_FUZZ_SEED` (default: a new one, printed), `CAREWINDOW_FUZZ_PATH` to replay one case of a seed,
 * `CAREWINDOW_FUZZ_STORE` (`sqlite` or `postgres`) to run on one store only.
 */
const environment = process.env
const seed = Number(environment.CAREWINDOW_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const store = environment.CAREWINDOW_FUZZ_STORE

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // Only the fuzz suite (a merged config would add this to the default include instead).
    include: ['test/fuzz/**/*.test.ts'],
    coverage: { enabled: false },
    // Progress lines as they come, not after the test.
    disableConsoleIntercept: true,
    testTimeout: 0,
    hookTimeout: 120_000,
    provide: {
      fuzz: {
        runs: Number(environment.CAREWINDOW_FUZZ_RUNS ?? 100_000),
        seed,
        progressEvery: 1_000,
        sweepEvery: 2_500,
        shrinkTimeMs: 120_000,
        ...(environment.CAREWINDOW_FUZZ_PATH === undefined ? {} : { path: environment.CAREWINDOW_FUZZ_PATH }),
        ...(store === 'sqlite' || store === 'postgres' ? { dialects: [store] } : {}),
      },
    },
  },
})
