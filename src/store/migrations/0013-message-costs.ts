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
 * Cost reports sum a tenant's messages of a period; summing a month of a million messages took SQLite 1–2 s (it
 * sorts to group) and PostgreSQL 0.3–1.3 s (an index-only scan of an index that carries every column a report
 * reads, and a hash aggregate). Both keep each UTC day's totals by every column a report groups or filters by in
 * `message_cost_days`, so a report adds up a few thousand rows:
 *
 * - SQLite keeps them in step by triggers, in the transaction that writes the message (one writer: no lock is
 *   contended);
 * - PostgreSQL fills a day's totals when a report first reads a day that is over (`message_cost_days_done` says
 *   which are filled), and a write to a message of a filled day forgets it, so the next report fills it anew. Kept
 *   in step on every write, one row would be locked by every concurrent send of a tenant, category and market.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  for (const column of ['category', 'pricing_model', 'billing_type', 'market'])
    await db.schema.alterTable('messages').addColumn(column, 'text').execute()
  await sql`update messages set market = (select country from contacts
      where contacts.channel_id = messages.channel_id and contacts.contact_id = messages.contact_id)
    where decision_json is not null`.execute(db)
  await fillFromDecisions(db, dialect)
  await createCostDays(db, dialect)
  if (dialect === 'postgres') {
    await sql`create index messages_tenant_at on messages (tenant_id, at, id) include (channel_id, direction,
      allowed, reason, category, pricing_model, billing_type, market, currency, price_micros)`.execute(db)
    await forgetFilledDays(db)
    return
  }
  await db.schema
    .createIndex('messages_tenant_at')
    .on('messages')
    .columns(['tenant_id', 'at', 'id'])
    .execute()
  await keepDaysInStep(db)
}

/**
 * PostgreSQL: the days whose totals are filled, and a trigger that forgets a day when one of its messages is
 * written. It takes the day's advisory lock shared: a report fills a day only while it holds that lock alone (it
 * tries, and reads the messages instead when it cannot), so a write and a fill of one day never overlap unseen.
 */
async function forgetFilledDays(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_cost_days_done')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('day', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_cost_days_done_key', ['tenant_id', 'day'])
    .execute()
  const forget = (row: 'old' | 'new') => `
    perform pg_advisory_xact_lock_shared(${costDayLock(`${row}.tenant_id`, `${row}.at / 86400000`)});
    delete from message_cost_days_done where tenant_id = ${row}.tenant_id and day = ${row}.at / 86400000;`
  await sql
    .raw(
      `create function message_cost_days_forget() returns trigger language plpgsql as $$ begin
        if tg_op <> 'INSERT' then ${forget('old')} end if;
        if tg_op <> 'DELETE' then ${forget('new')} end if;
        return null;
      end $$`,
    )
    .execute(db)
  await sql
    .raw(
      `create trigger message_cost_days_forget after insert or delete or update of ${WATCHED.join(', ')} ` +
        'on messages for each row execute function message_cost_days_forget()',
    )
    .execute(db)
}

/** The key of a tenant's UTC day's advisory lock (PostgreSQL), as SQL over the two. */
export function costDayLock(tenant: string, day: string): string {
  return `hashtextextended(${tenant}, ${day})`
}

/** The columns whose change moves a message to another day's totals, or changes them. */
const WATCHED = COST_DAY_KEY.filter((column) => column !== 'day').map((column) =>
  column === 'currency' ? 'currency, price_micros' : column === 'tenant_id' ? 'tenant_id, at' : column,
)

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

/** Each day's totals, keyed by every column a report groups or filters by (NULL kept as '' or -1). */
async function createCostDays(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const count = dialect === 'postgres' ? 'bigint' : 'integer'
  const table = db.schema
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
    .addColumn('messages', count, (c) => c.notNull())
    .addColumn('amount_micros', count, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_cost_days_key', [...COST_DAY_KEY])
  await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute()
}

/** SQLite: each day's totals filled from the messages stored, and kept in step by triggers. */
async function keepDaysInStep(db: Kysely<unknown>): Promise<void> {
  const key = COST_DAY_KEY.join(', ')
  await sql
    .raw(
      `insert into message_cost_days (${key}, messages, amount_micros) ` +
        `select ${costDayKeyOf('messages').join(', ')}, count(*), coalesce(sum(price_micros), 0) from messages ` +
        `group by ${COST_DAY_KEY.map((_, i) => i + 1).join(', ')}`,
    )
    .execute(db)
  const add = (row: 'new' | 'old') =>
    `insert into message_cost_days (${key}, messages, amount_micros) ` +
    `values (${costDayKeyOf(row).join(', ')}, 1, coalesce(${row}.price_micros, 0)) on conflict (${key}) do update set ` +
    'messages = messages + 1, amount_micros = amount_micros + excluded.amount_micros;'
  const oldKey = costDayKeyOf('old')
  const subtract =
    'update message_cost_days set messages = messages - 1, ' +
    'amount_micros = amount_micros - coalesce(old.price_micros, 0) where ' +
    `${COST_DAY_KEY.map((column, i) => `${column} = ${oldKey[i] ?? ''}`).join(' and ')};`
  await sql
    .raw(`create trigger message_cost_days_insert after insert on messages begin ${add('new')} end`)
    .execute(db)
  await sql
    .raw(
      `create trigger message_cost_days_update after update of ${WATCHED.join(', ')} on messages ` +
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
export function costDayKeyOf(row: 'new' | 'old' | 'messages'): string[] {
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
