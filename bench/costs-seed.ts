/**
 * The store the cost benchmark reads: one tenant with three WhatsApp numbers and N messages (1 M by default), all
 * in one month, written straight into `messages` in bulk — a single transaction of prepared statements on SQLite
 * (whose triggers keep each day's totals as a send would), `unnest` arrays on PostgreSQL — because sending them
 * through the gateway would take far longer than the benchmark itself.
 *
 * The mix is a busy business's: 80 % allowed sends (service replies in the window, utility, marketing and
 * authentication templates, some in a free entry point window), 10 % refusals, 10 % customers' messages; ten
 * markets; stored decisions of the size a real one has (about 1.5 kB). Which message is which comes from a hash of
 * its index, so the rows of a kind are scattered through the tables as real traffic leaves them.
 */
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import type { Instant } from '../src/domain/index.js'

export const BENCH_TENANT = 'bench'
export const BENCH_CHANNELS = ['ch-costs-1', 'ch-costs-2', 'ch-costs-3'] as const

const MARKETS = ['NL', 'DE', 'BR', 'IN', 'US', 'GB', 'FR', 'ES', 'ID', 'MX'] as const
/** What an allowed send is: category, billing type, price in micros (per-message pricing, sample figures). */
const KINDS = [
  ['service', 'free_customer_service', 0],
  ['service', 'free_customer_service', 0],
  ['service', 'free_customer_service', 0],
  ['utility', 'free_customer_service', 0],
  ['utility', 'regular', 5_000],
  ['marketing', 'regular', 109_100],
  ['marketing', 'free_entry_point', 0],
  ['authentication', 'regular', 35_800],
] as const
const REFUSALS = ['WINDOW_CLOSED', 'NO_OPT_IN', 'OPTED_OUT'] as const
const COLUMNS =
  'id, tenant_id, channel_id, contact_id, direction, external_id, at, body_json, allowed, reason, decision_json, ' +
  'price_micros, currency, status, status_at, meta_pricing_json, error_json, created_at, category, pricing_model, ' +
  'billing_type, market'

/** A stored decision's worth of text: an explanation and the snapshots a real one carries. */
const DECISION_FILLER = JSON.stringify({
  window: {
    state: 'open',
    type: 'customer_care',
    opened_at: '2026-03-01T09:00:00.000Z',
    seconds_left: 80_000,
  },
  consent: {
    marketing: { state: 'opted_in', since: '2025-01-01T00:00:00.000Z', scope: 'marketing', source: 'web' },
    utility: { state: 'unknown', since: null, scope: null, source: null },
    authentication: { state: 'unknown', since: null, scope: null, source: null },
  },
  explanation:
    'Allowed: the customer care window is open until 2026-03-02 09:00 UTC, 24 h after the customer’s last ' +
    'message (CCW-2, CCW-4). Billed under per-message pricing (PRC-PMP). '.repeat(6),
})

type Row = (string | number | null)[]

/** Message `index` of `count`, at its place in `[from, to)`. */
function rowOf(index: number, count: number, from: Instant, to: Instant): Row {
  const h = hash(index)
  const at = from + Math.floor((index * (to - from)) / count)
  const channelId = BENCH_CHANNELS[h % 3] ?? BENCH_CHANNELS[0]
  const contactId = `316${String(10_000_000 + (h % 200_000))}`
  const market = MARKETS[(h >>> 4) % MARKETS.length] ?? 'NL'
  const id = `msg_${at.toString(36)}${index.toString(36).padStart(5, '0')}`
  const roll = (h >>> 8) % 10
  if (roll === 0)
    return [
      id,
      BENCH_TENANT,
      channelId,
      contactId,
      'inbound',
      `wamid.in.${index}`,
      at,
      '{"type":"text"}',
      null,
      null,
      null,
      null,
      null,
      'received',
      at,
      null,
      null,
      at,
      null,
      null,
      null,
      null,
    ]
  if (roll === 1) {
    const reason = REFUSALS[(h >>> 12) % REFUSALS.length] ?? 'WINDOW_CLOSED'
    const decision = `{"allowed":false,"reason":"${reason}","billing":null,"details":${DECISION_FILLER}}`
    return [
      id,
      BENCH_TENANT,
      channelId,
      contactId,
      'outbound',
      null,
      at,
      '{"type":"template"}',
      0,
      reason,
      decision,
      null,
      null,
      'refused',
      at,
      null,
      null,
      at,
      null,
      null,
      null,
      market,
    ]
  }
  const [category, billingType, price] = KINDS[(h >>> 12) % KINDS.length] ?? KINDS[0]
  const reason = billingType === 'regular' ? 'OPTED_IN_TEMPLATE' : 'IN_CARE_WINDOW'
  const decision =
    `{"allowed":true,"reason":"${reason}","billing":{"pricing_model":"PMP","category":"${category}",` +
    `"type":"${billingType}","price":{"amount_micros":${price},"currency":"USD"}},"details":${DECISION_FILLER}}`
  return [
    id,
    BENCH_TENANT,
    channelId,
    contactId,
    'outbound',
    `wamid.out.${index}`,
    at,
    '{"type":"text"}',
    1,
    reason,
    decision,
    price,
    'USD',
    'read',
    at + 5_000,
    null,
    null,
    at,
    category,
    'PMP',
    billingType,
    market,
  ]
}

function hash(index: number): number {
  let h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const CHUNK = 10_000

/** Writes `count` messages in `[from, to)` into a migrated database with the bench tenant and channels. */
export async function seedMessages(
  databaseUrl: string,
  count: number,
  period: { readonly from: Instant; readonly to: Instant },
  progress: (written: number) => void,
): Promise<void> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) await seedPostgres(databaseUrl, count, period, progress)
  else seedSqlite(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), count, period, progress)
}

function seedSqlite(
  path: string,
  count: number,
  { from, to }: { from: Instant; to: Instant },
  progress: (written: number) => void,
): void {
  const database = new BetterSqlite3(path)
  try {
    database.pragma('synchronous = OFF')
    database.pragma('cache_size = -1000000')
    const insert = database.prepare(
      `insert into messages (${COLUMNS}) values (${COLUMNS.split(',')
        .map(() => '?')
        .join(', ')})`,
    )
    database.exec('begin')
    for (let start = 0; start < count; start += CHUNK) {
      for (let index = start; index < Math.min(count, start + CHUNK); index++)
        insert.run(rowOf(index, count, from, to))
      progress(Math.min(count, start + CHUNK))
    }
    database.exec('commit')
    database.exec('analyze')
    database.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    if (database.inTransaction) database.exec('rollback')
    database.close()
  }
}

const PG_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'integer',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'text',
  'text',
]

async function seedPostgres(
  url: string,
  count: number,
  { from, to }: { from: Instant; to: Instant },
  progress: (written: number) => void,
): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const unnest = PG_TYPES.map((type, column) => `$${column + 1}::${type}[]`).join(', ')
    await client.query('begin')
    for (let start = 0; start < count; start += CHUNK) {
      const columns: Row[] = PG_TYPES.map(() => [])
      for (let index = start; index < Math.min(count, start + CHUNK); index++)
        rowOf(index, count, from, to).forEach((value, column) => columns[column]?.push(value))
      await client.query(`insert into messages (${COLUMNS}) select * from unnest(${unnest})`, columns)
      progress(Math.min(count, start + CHUNK))
    }
    await client.query('commit')
    // What autovacuum does shortly after a bulk load: statistics, and the visibility map index-only scans need.
    await client.query('vacuum analyze messages')
  } finally {
    await client.end()
  }
}
