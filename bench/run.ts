/**
 * `npm run bench`: the benchmarks, with their targets. Figures go to stdout; a missed target is reported,
 * not failed — speed is measured here, never asserted in tests.
 *
 * `npm run bench -- decide`, `-- http`, `-- scheduler`, `-- import` or `-- costs` (or `BENCH_ONLY=…` with one of
 * them) runs one part; the default runs them all.
 */
import { benchDecide } from './decide.bench.js'
import { benchHttp, httpBenchSettings } from './http.bench.js'
import { benchImport, importBenchSettings } from './import.bench.js'
import { benchScheduler, schedulerBenchSettings } from './scheduler.bench.js'
import { benchCosts, costsBenchSettings } from './costs.bench.js'

const PARTS = ['decide', 'http', 'scheduler', 'import', 'costs'] as const
type Part = (typeof PARTS)[number]

const TARGET_DECISIONS_PER_SECOND = 1_000_000

const format = (n: number): string => Math.round(n).toLocaleString('en-US')
const write = (text: string): void => {
  process.stdout.write(text)
}

function selectedParts(): readonly Part[] {
  const asked = process.argv[2] ?? process.env.BENCH_ONLY
  if (asked === undefined || asked === '' || asked === 'all') return PARTS
  if ((PARTS as readonly string[]).includes(asked)) return [asked as Part]
  process.stderr.write(`unknown benchmark "${asked}": choose one of ${PARTS.join(', ')} (or none for all)\n`)
  process.exit(2)
}

function runDecide(): void {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 1_000_000)
  write(`decide: synthetic trace of ${format(contacts)} contacts, one core (${process.version})\n`)
  const result = benchDecide(contacts)
  write(`  decisions/s over ${result.passes} passes         best        median\n`)
  for (const [label, figures] of [
    ['from history (fold per decision)', result.fromHistory],
    ['from folded state (gateway path)', result.fromFoldedState],
  ] as const) {
    const verdict = figures.bestPerSecond >= TARGET_DECISIONS_PER_SECOND ? 'meets' : 'BELOW'
    write(
      `  ${label.padEnd(34)} ${format(figures.bestPerSecond).padStart(11)} ${format(figures.medianPerSecond).padStart(11)}` +
        `  (${(figures.allowedShare * 100).toFixed(1)} % allowed; best ${verdict} the ${format(TARGET_DECISIONS_PER_SECOND)}/s target)\n`,
    )
  }
}

const parts = selectedParts()
if (parts.includes('decide')) runDecide()
if (parts.includes('http')) {
  if (parts.includes('decide')) write('\n')
  await benchHttp(httpBenchSettings(process.env), write)
}
if (parts.includes('scheduler')) {
  if (parts.length > 1) write('\n')
  await benchScheduler(schedulerBenchSettings(process.env), write)
}
if (parts.includes('import')) {
  if (parts.length > 1) write('\n')
  await benchImport(importBenchSettings(process.env), write)
}
if (parts.includes('costs')) {
  if (parts.length > 1) write('\n')
  await benchCosts(costsBenchSettings(process.env), write)
}
