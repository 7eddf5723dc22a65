import { CsvError, parse } from 'csv-parse/sync'
import {
  META_REGIONS,
  metaMarketOf,
  RATE_CATEGORIES,
  type RateCard,
  type RateCategory,
} from '../domain/index.js'
import { describeIssues } from '../shared/validation.js'
import { amount, rateCardSchema, toRateCard } from './rate-cards.js'

/** What the file does not say about the card: from the query string (API) or the options (CLI). */
export interface RateCardCsvFields {
  readonly id?: string | undefined
  readonly label?: string | undefined
  /** Optional when the file has a Currency column. */
  readonly currency?: string | undefined
  readonly effective_from?: string | undefined
}

export type RateCardCsvResult =
  | { readonly ok: true; readonly card: RateCard }
  | { readonly ok: false; readonly problems: readonly string[] }

/** The most markets one card prices (Meta's cards list about 40) and the most problems one answer lists. */
export const MAX_CARD_MARKETS = 1_000
const MAX_PROBLEMS = 100

/** Column names as people write them ("Authentication-International", "User initiated") → what they hold. */
const CATEGORY_COLUMNS = new Map<string, RateCategory>(
  RATE_CATEGORIES.map((category) => [category, category]),
)
const MARKET_COLUMNS = new Set(['market', 'country', 'region', 'country_region', 'country_or_region'])
const EMPTY_CELLS = new Set(['', 'n/a', 'na', '-', '—'])

type Column =
  | { readonly kind: 'market' | 'currency' | 'unknown' }
  | { readonly kind: 'rate'; readonly category: RateCategory }

/** The card's fields the file cannot give, with what to write. */
const REQUIRED_FIELDS = [
  ['id', 'give the card an id, such as meta-2026-10-eur'],
  ['label', 'give the card a label, such as "Meta rate card, October 2026 (EUR)"'],
  ['effective_from', 'give the date the card takes effect, such as 2026-10-01'],
] as const

/**
 * Reads a rate card in the shape Meta publishes its rate cards (a spreadsheet per currency, saved as CSV): a
 * header `Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service`, then one row per
 * market — a country by its English name, one of Meta's groups such as `Rest of Western Europe`, or `Other` for the
 * rest of the world (`*`). Empty cells (and `n/a`) are left out; every amount follows the config file's rules. The
 * countries of each group the card prices become its `countries`, except those it prices on their own row.
 * Comma-, semicolon- and tab-separated files are read. Every problem is reported, each with its line; a file with
 * any problem gives no card.
 */
export function rateCardFromCsv(text: string, fields: RateCardCsvFields): RateCardCsvResult {
  if (text.includes('\0'))
    return {
      ok: false,
      problems: [
        'the file is not text (it holds a NUL character): save the spreadsheet as CSV (UTF-8), not as .xlsx',
      ],
    }
  const problems: string[] = []
  const rows = recordsOf(text, problems)
  const header = rows.shift()
  if (header === undefined) {
    if (problems.length === 0)
      problems.push('the file is empty: it needs a header line and a line per market')
    return { ok: false, problems }
  }
  const columns = columnsOf(header.record, header.line, problems)
  if (rows.length > MAX_CARD_MARKETS)
    problems.push(`the file has ${rows.length} markets; a card prices at most ${MAX_CARD_MARKETS}`)
  if (columns === undefined || rows.length > MAX_CARD_MARKETS) return { ok: false, problems }
  if (rows.length === 0) problems.push(`the file has no markets: add a line per market after the header`)

  const rates: Record<string, Record<string, string>> = {}
  const linesOf = new Map<string, number>()
  const currencies = new Map<string, number>()
  for (const { record, line } of rows) {
    if (problems.length >= MAX_PROBLEMS) break
    if (record.slice(columns.length).some((cell) => cell.trim() !== '')) {
      problems.push(`line ${line}: ${record.length} cells, but the header names ${columns.length} columns`)
      continue
    }
    const market = marketOf(record, columns, line, problems)
    const row: Record<string, string> = {}
    columns.forEach((column, index) => {
      const cell = (record[index] ?? '').trim()
      if (EMPTY_CELLS.has(cell.toLowerCase())) return
      if (column.kind === 'currency' && !currencies.has(cell.toUpperCase()))
        currencies.set(cell.toUpperCase(), line)
      if (column.kind !== 'rate') return
      const parsed = amount.safeParse(cell)
      if (parsed.success) row[column.category] = cell
      else
        problems.push(
          `line ${line}, ${header.record[index] ?? column.category}: ${describeIssues(parsed.error).join('; ')}${cell.includes(',') ? ' (write amounts with a decimal point)' : ''}`,
        )
    })
    if (market === undefined) continue
    const earlier = linesOf.get(market.key)
    if (earlier !== undefined) {
      problems.push(`line ${line}: ${market.name} is priced on line ${earlier} already`)
      continue
    }
    linesOf.set(market.key, line)
    if (Object.keys(row).length === 0 && !hasAmountProblem(problems, line))
      problems.push(`line ${line}: ${market.name} has no amount; fill one in or remove the line`)
    rates[market.key] = row
  }

  const currency = currencyOf(fields.currency?.trim().toUpperCase(), currencies, problems)
  const missing = REQUIRED_FIELDS.filter(([key]) => fields[key] === undefined)
  problems.push(...missing.map(([key, hint]) => `${key}: missing; ${hint}`))
  const countries = groupedCountries(rates)
  const input = {
    id: fields.id,
    label: fields.label,
    currency,
    effective_from: fields.effective_from,
    ...(Object.keys(countries).length === 0 ? {} : { countries }),
    rates,
  }
  const parsed = rateCardSchema.safeParse(input)
  // Amounts were checked per cell (with their lines), and missing fields named, above; the rest is the card's.
  const reported = ['rates', ...(currency === undefined ? ['currency'] : []), ...missing.map(([key]) => key)]
  if (!parsed.success)
    problems.push(
      ...describeIssues(parsed.error).filter(
        (problem) => !reported.some((key) => problem.startsWith(`${key}:`) || problem.startsWith(`${key}.`)),
      ),
    )
  if (problems.length > 0 || !parsed.success) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) }
  return { ok: true, card: toRateCard(parsed.data) }
}

interface Row {
  readonly record: string[]
  readonly line: number
}

/** The file's records with the line each ends on; a file that is not CSV adds its problem and gives none. */
function recordsOf(text: string, problems: string[]): Row[] {
  try {
    const parsed = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as { record: string[]; info: { lines: number } }[]
    return parsed.map(({ record, info }) => ({ record, line: info.lines }))
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    problems.push(`the file is not valid CSV: ${error.message}`)
    return []
  }
}

/** The separator the header line uses most: a comma, or a semicolon or tab (spreadsheets in some locales). */
function delimiterOf(text: string): string {
  const header = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'))
  const count = (separator: string) => header.split(separator).length
  return [';', '\t'].reduce((best, separator) => (count(separator) > count(best) ? separator : best), ',')
}

function columnsOf(header: readonly string[], line: number, problems: string[]): Column[] | undefined {
  const before = problems.length
  const seen = new Set<string>()
  const columns = header.map((name): Column => {
    const key = name
      .toLowerCase()
      .replace(/\(.*?\)/g, ' ')
      .replace(/\b(rate|price)\b/g, ' ')
      .trim()
      .replace(/[\s_/-]+/g, '_')
    if (seen.has(key)) problems.push(`line ${line}: the column "${name}" appears twice`)
    seen.add(key)
    if (MARKET_COLUMNS.has(key)) return { kind: 'market' }
    if (key === 'currency') return { kind: 'currency' }
    const category = CATEGORY_COLUMNS.get(key)
    if (category !== undefined) return { kind: 'rate', category }
    problems.push(
      `line ${line}: unknown column "${name}"; a rate card has Market, Currency and a column per category: Marketing, Utility, Authentication, Authentication-International, Service (older cards: Notification, Notification-In-Window, User-Initiated, Business-Initiated)`,
    )
    return { kind: 'unknown' }
  })
  if (!columns.some((column) => column.kind === 'market'))
    problems.push(`line ${line}: the header has no Market column (the first line names the columns)`)
  else if (!columns.some((column) => column.kind === 'rate'))
    problems.push(`line ${line}: the header names no category such as Marketing or Utility`)
  return problems.length === before ? columns : undefined
}

/** The row's market as the card keys it (a country code, a group's name, `*`), or a problem. */
function marketOf(
  record: readonly string[],
  columns: readonly Column[],
  line: number,
  problems: string[],
): { readonly key: string; readonly name: string } | undefined {
  const name = (record[columns.findIndex((column) => column.kind === 'market')] ?? '').trim()
  if (name === '') {
    problems.push(`line ${line}: no market; name a country, one of Meta's groups or Other`)
    return undefined
  }
  const market = metaMarketOf(name)
  if (market !== undefined)
    return {
      name,
      key: market.kind === 'country' ? market.country : market.kind === 'region' ? market.region : '*',
    }
  problems.push(
    `line ${line}: unknown market "${name}"; name a country (Netherlands, or its code NL), one of Meta's groups (${Object.keys(META_REGIONS).join(', ')}) or Other`,
  )
  return undefined
}

function hasAmountProblem(problems: readonly string[], line: number): boolean {
  return problems.some((problem) => problem.startsWith(`line ${line}, `))
}

/** The card's currency: as given, else the file's Currency column — which must agree with it, and with itself. */
function currencyOf(
  given: string | undefined,
  inFile: ReadonlyMap<string, number>,
  problems: string[],
): string | undefined {
  const currency = given ?? (inFile.size === 1 ? [...inFile.keys()][0] : undefined)
  if (currency === undefined) {
    problems.push(
      inFile.size === 0
        ? 'currency: give the card’s currency (such as EUR); the file has no Currency column to take it from'
        : `currency: the file's Currency column holds ${[...inFile.keys()].join(' and ')}; a card is in one currency`,
    )
    return undefined
  }
  for (const [other, line] of inFile)
    if (other !== currency)
      problems.push(
        `line ${line}: the currency is ${other}, but the card is in ${currency}; a card is in one currency`,
      )
  return currency
}

/** Each country of a group the card prices → the group, unless the card prices the country on a row of its own. */
function groupedCountries(rates: Readonly<Record<string, unknown>>): Record<string, string> {
  const countries: Record<string, string> = {}
  for (const [region, members] of Object.entries(META_REGIONS)) {
    if (rates[region] === undefined) continue
    for (const country of members) if (rates[country] === undefined) countries[country] = region
  }
  return countries
}
