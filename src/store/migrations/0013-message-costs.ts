import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/** The columns of a message's cost that a day's totals are kept by (message_cost_days), in key order. */
export const COST_DAY_KEY = [
  'tenant_id',
  'day',
  'channel_id',
  'direction',
  'allowed',
  'reason',
  'category',
  'pricing_model',
  'billing_type',
  'market',
  'currency',
] as const

/**
 * What a message's decision says of its price, in columns of their own so messages are searched and their costs
 * grouped by them: Meta's pricing `category` in the decision's era, the `pricing_model` (NBP, CBP, PMP, NONE), the
 * `billing_type` (`regular`, or why the message is free: `free_customer_service`, `free_entry_point`, …) and the
 * `market` (the contact's country, which Meta prices in). Written with each message from now on; filled here from
 * the stored decisions and contacts. Messages are searched per tenant, newest first, by `(tenant_id, at, id)`.
 *
 * Cost reports sum a tenant's messages of a period. PostgreSQL sums a month of a million messages straight from the
 * index, which carries every column a report reads (an index-only scan and a hash aggregate, about 0.3–0.5 s).
 * SQLite sorts to group and takes 1–2 s for the same, so it keeps each day's totals by every column a report
 * groups or filters by in `message_cost_days`, kept by triggers in the transaction that writes the message (one
 * writer: no lock is contended). A PostgreSQL table like it would put one hot row under every concurrent send.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  for (const column of ['category', 'pricing_model', 'billing_type', 'market'])
    await db.schema.alterTable('messages').addColumn(column, 'text').execute()
  await sql`update messages set market = (select country from contacts
      where contacts.channel_id = messages.channel_id and contacts.contact_id = messages.contact_id)
    where decision_json is not null`.execute(db)
  await fillFromDecisions(db, dialect)
  if (dialect === 'postgres') {
    await sql`create index messages_tenant_at on messages (tenant_id, at, id) include (channel_id, direction,
      allowed, reason, category, pricing_model, billing_type, market, currency, price_micros)`.execute(db)
    return
  }
  await db.schema
    .createIndex('messages_tenant_at')
    .on('messages')
    .columns(['tenant_id', 'at', 'id'])
    .execute()
  await createCostDays(db)
}

/** Each decided message's category, pricing model and billing type, from its stored decision's billing. */
async function fillFromDecisions(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'sqlite') {
    const field = (name: string) => sql`json_extract(decision_json, ${`$.billing.${name}`})`
    await sql`update messages set category = ${field('category')}, pricing_model = ${field('pricing_model')},
      billing_type = ${field('type')} where decision_json is not null and json_valid(decision_json)`.execute(
      db,
    )
    return
  }
  // PostgreSQL's JSON functions refuse a document holding an escaped NUL (\u0000, which a decision may quote from
  // a client's text): those few decisions are read here instead.
  const nul = '\\u0000'
  const field = (name: string) => sql`(decision_json::json -> 'billing' ->> ${name})`
  await sql`update messages set category = ${field('category')}, pricing_model = ${field('pricing_model')},
    billing_type = ${field('type')} where decision_json is not null and strpos(decision_json, ${nul}) = 0`.execute(
    db,
  )
  const { rows } = await sql<{ id: string; decision_json: string }>`select id, decision_json from messages
    where decision_json is not null and strpos(decision_json, ${nul}) > 0`.execute(db)
  for (const row of rows) {
    const billing = billingOf(row.decision_json)
    await sql`update messages set category = ${billing.category}, pricing_model = ${billing.pricing_model},
      billing_type = ${billing.type} where id = ${row.id}`.execute(db)
  }
}

function billingOf(decisionJson: string): Record<'category' | 'pricing_model' | 'type', string | null> {
  let billing: unknown = null
  try {
    billing = (JSON.parse(decisionJson) as { billing?: unknown }).billing ?? null
  } catch {
    // Not JSON: nothing to read.
  }
  const text = (name: string): string | null => {
    const value =
      typeof billing === 'object' && billing !== null ? (billing as Record<string, unknown>)[name] : null
    return typeof value === 'string' ? value : null
  }
  return { category: text('category'), pricing_model: text('pricing_model'), type: text('type') }
}

/** SQLite: each day's totals, keyed by every column a report groups or filters by (NULL kept as '' or -1). */
async function createCostDays(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_cost_days')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('allowed', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('pricing_model', 'text', (c) => c.notNull())
    .addColumn('billing_type', 'text', (c) => c.notNull())
    .addColumn('market', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('amount_micros', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_cost_days_key', [...COST_DAY_KEY])
    .modifyEnd(sql`without rowid`)
    .execute()
  const key = COST_DAY_KEY.join(', ')
  await sql
    .raw(
      `insert into message_cost_days (${key}, messages, amount_micros) ` +
        `select ${keyOf('messages').join(', ')}, count(*), coalesce(sum(price_micros), 0) from messages ` +
        `group by ${COST_DAY_KEY.map((_, i) => i + 1).join(', ')}`,
    )
    .execute(db)
  const add = (row: 'new' | 'old') =>
    `insert into message_cost_days (${key}, messages, amount_micros) ` +
    `values (${keyOf(row).join(', ')}, 1, coalesce(${row}.price_micros, 0)) on conflict (${key}) do update set ` +
    'messages = messages + 1, amount_micros = amount_micros + excluded.amount_micros;'
  const oldKey = keyOf('old')
  const subtract =
    'update message_cost_days set messages = messages - 1, ' +
    'amount_micros = amount_micros - coalesce(old.price_micros, 0) where ' +
    `${COST_DAY_KEY.map((column, i) => `${column} = ${oldKey[i] ?? ''}`).join(' and ')};`
  const watched = COST_DAY_KEY.filter((column) => column !== 'day').map((column) =>
    column === 'currency' ? 'currency, price_micros' : column === 'tenant_id' ? 'tenant_id, at' : column,
  )
  await sql
    .raw(`create trigger message_cost_days_insert after insert on messages begin ${add('new')} end`)
    .execute(db)
  await sql
    .raw(
      `create trigger message_cost_days_update after update of ${watched.join(', ')} on messages ` +
        `begin ${subtract} ${add('new')} end`,
    )
    .execute(db)
  await sql
    .raw(`create trigger message_cost_days_delete after delete on messages begin ${subtract} end`)
    .execute(db)
}

/**
 * The key of a message's day, from its row (`new`, `old`) or, in a query on `messages`, its columns: the UTC day
 * (days since the epoch), NULL as '' (and -1 for `allowed`), and no currency for a message without a price (one
 * held back by a throughput limit keeps its decision's currency but has no price).
 */
function keyOf(row: 'new' | 'old' | 'messages'): string[] {
  const column = (name: string) => (row === 'messages' ? name : `${row}.${name}`)
  return [
    column('tenant_id'),
    `${column('at')} / 86400000`,
    column('channel_id'),
    column('direction'),
    `coalesce(${column('allowed')}, -1)`,
    ...['reason', 'category', 'pricing_model', 'billing_type', 'market'].map(
      (name) => `coalesce(${column(name)}, '')`,
    ),
    `case when ${column('price_micros')} is null then '' else coalesce(${column('currency')}, '') end`,
  ]
}
