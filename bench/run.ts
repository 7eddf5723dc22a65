/**
 * `npm run bench`: the benchmarks, with their targets. Figures go to stdout; a missed target is reported,
 * not failed — speed is measured here, never asserted in tests.
 */
import { benchDecide } from './decide.bench.js'

const TARGET_DECISIONS_PER_SECOND = 1_000_000

const format = (n: number): string => Math.round(n).toLocaleString('en-US')

const contacts = Number(process.env.BENCH_CONTACTS ?? 1_000_000)
process.stdout.write(
  `decide: synthetic trace of ${format(contacts)} contacts, one core (${process.version})\n`,
)
const result = benchDecide(contacts)
process.stdout.write(`  decisions/s over ${result.passes} passes         best        median\n`)
for (const [label, figures] of [
  ['from history (fold per decision)', result.fromHistory],
  ['from folded state (gateway path)', result.fromFoldedState],
] as const) {
  const verdict = figures.bestPerSecond >= TARGET_DECISIONS_PER_SECOND ? 'meets' : 'BELOW'
  process.stdout.write(
    `  ${label.padEnd(34)} ${format(figures.bestPerSecond).padStart(11)} ${format(figures.medianPerSecond).padStart(11)}` +
      `  (${(figures.allowedShare * 100).toFixed(1)} % allowed; best ${verdict} the ${format(TARGET_DECISIONS_PER_SECOND)}/s target)\n`,
  )
}
