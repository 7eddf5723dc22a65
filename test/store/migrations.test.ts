import BetterSqlite3 from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateToLatest, type SqlDialect } from '../../src/store/migrations/migrations.js'
import { dropSchema, postgresUrl, quoteSchema, uniqueSchemaName } from '../support/postgres.js'

const DAY = 86_400_000
const T0 = Date.parse('2025-09-01T10:00:00Z')

interface Opened {
  readonly db: Kysely<unknown>
  readonly schema?: string
  close(): Promise<void>
}

async function openEmpty(dialect: SqlDialect): Promise<Opened> {
  if (dialect === 'sqlite') {
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }),
    })
    return { db, close: () => db.destroy() }
  }
  const schema = uniqueSchemaName()
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2, options: `-c search_path=${schema}` })
  await pool.query(`create schema ${quoteSchema(schema)}`)
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    schema,
    async close() {
      await db.destroy()
      await dropSchema(schema)
    },
  }
}

/** Tenant `t` with WhatsApp channel `ch`, as the schema of the first migrations holds them. */
async function insertTenantAndChannel(db: Kysely<unknown>): Promise<void> {
  await sql`insert into tenants (id, name, webhook_url, webhook_secret, created_at) values ('t', 't', null, null, ${T0})`.execute(
    db,
  )
  await sql`insert into channels (id, tenant_id, platform, external_id, upstream_json, app_secret, verify_token,
      settings_json, automations_json, waba_id, created_at, updated_at)
    values ('ch', 't', 'whatsapp', '1', '{}', 'secret', 'token', '{}', '{}', null, ${T0}, ${T0})`.execute(db)
}

/**
 * Three pending notifications behind two processed ones, in a table never analysed: the planner's worst case for the
 * inbox's reads. Returns the pending ones' ids, oldest first.
 */
async function storeBacklog(db: Kysely<unknown>): Promise<number[]> {
  await sql`insert into webhook_notifications (platform, body, signature, received_at, subject, processed_at)
    values ('whatsapp', '{}', 'sha256=x', ${T0}, '-', ${T0}), ('whatsapp', '{}', 'sha256=x', ${T0}, '-', ${T0})`.execute(
    db,
  )
  const ids: number[] = []
  for (let n = 0; n < 3; n++) {
    const row = await sql<{ id: number | string }>`insert into webhook_notifications
      (platform, body, signature, received_at, subject) values ('whatsapp', ${`{"n":${n}}`}, 'sha256=x', ${T0}, '-')
      returning id`.execute(db)
    ids.push(Number(row.rows[0]?.id))
  }
  return ids
}

/**
 * How the inbox's read of pending notifications is planned. SQLite: the statement itself. PostgreSQL: the body of
 * the function `name` (which must turn bitmap scans and sorts off) under its own settings, its parameters replaced
 * by `values`.
 */
async function planOfPending(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  name: string,
  values: Readonly<Record<string, string>>,
): Promise<string> {
  if (dialect === 'sqlite') {
    const claimable = 'processed_at is null and dead_at is null and (retry_at is null or retry_at <= 0)'
    const rows = await sql<{ detail: string }>`explain query plan ${sql.raw(
      `select id from webhook_notifications where ${claimable} order by id limit 100`,
    )}`.execute(db)
    return rows.rows.map((row) => row.detail).join('\n')
  }
  const found = await sql<{ proconfig: string[]; prosrc: string }>`select proconfig, prosrc from pg_proc
    where proname = ${name}`.execute(db)
  const { proconfig, prosrc } = found.rows[0] ?? { proconfig: [], prosrc: '' }
  expect([...proconfig].sort()).toEqual(['enable_bitmapscan=off', 'enable_sort=off'])
  return db.transaction().execute(async (trx) => {
    for (const setting of proconfig) {
      const [key, value] = setting.split('=')
      await sql`select set_config(${key}, ${value}, true)`.execute(trx)
    }
    const query = Object.entries(values).reduce(
      (text, [parameter, value]) => text.replace(parameter, value),
      prosrc,
    )
    const rows = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx)
    return rows.rows.map((row) => row['QUERY PLAN']).join('\n')
  })
}

/** Migrations that change what rows mean are run on rows an older schema held. */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`migrations (${dialect})`, () => {
    let opened: Opened | undefined
    afterEach(async () => {
      await opened?.close()
      opened = undefined
    })

    it('0008 records what each window was announced from its window.closed job: pending open, done closed, else nothing', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0006-idempotency-intents')
      await insertTenantAndChannel(db)
      const contacts = {
        pending: '31600000001',
        done: '31600000002',
        cancelled: '31600000003',
        none: '31600000004',
      }
      for (const [status, contact] of Object.entries(contacts)) {
        await sql`insert into contacts (channel_id, contact_id, country, profile_name, created_at)
          values ('ch', ${contact}, 'NL', null, ${T0})`.execute(db)
        await sql`insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at)
          values ('ch', ${contact}, '{}', ${T0}, ${T0 + DAY}, ${T0})`.execute(db)
        if (status !== 'none')
          await sql`insert into jobs (id, kind, channel_id, contact_id, due_at, payload_json, status, attempts,
              last_error, locked_until, created_at, updated_at)
            values (${`window.closed:ch:${contact}`}, 'window.closed', 'ch', ${contact}, ${T0 + DAY}, '{}', ${status},
              0, null, null, ${T0}, ${T0})`.execute(db)
      }

      await migrateToLatest(db, dialect, schema)

      const { rows } = await sql<{
        contact_id: string
        announced: string | null
        announced_expires_at: number | string | null
      }>`select contact_id, announced, announced_expires_at from windows order by contact_id`.execute(db)
      expect(
        rows.map((row) => [
          row.contact_id,
          row.announced,
          row.announced_expires_at === null ? null : Number(row.announced_expires_at),
        ]),
      ).toEqual([
        [contacts.pending, 'open', T0 + DAY],
        [contacts.done, 'closed', T0 + DAY],
        [contacts.cancelled, null, null],
        [contacts.none, null, null],
      ])
    })

    it('0009 keeps the replies of keys answered before it, which then hold no result', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0008-window-announcements')
      await sql`insert into tenants (id, name, webhook_url, webhook_secret, created_at) values ('t', 't', null, null, ${T0})`.execute(
        db,
      )
      const body = '{"messaging_product":"whatsapp","messages":[{"id":"wamid.1"}]}'
      await sql`insert into idempotency_keys (tenant_id, key, request_hash, response_status, response_body, message_id,
          created_at)
        values ('t', 'answered', 'h1', 200, ${body}, 'msg_1', ${T0}),
          ('t', 'in-progress', 'h2', null, null, 'msg_2', ${T0})`.execute(db)

      await migrateToLatest(db, dialect, schema)

      const { rows } = await sql<{
        key: string
        response_status: number | null
        response_body: string | null
        result_json: string | null
      }>`select key, response_status, response_body, result_json from idempotency_keys order by key`.execute(
        db,
      )
      expect(rows).toEqual([
        { key: 'answered', response_status: 200, response_body: body, result_json: null },
        { key: 'in-progress', response_status: null, response_body: null, result_json: null },
      ])
    })

    it('0010 renames the stored notifications’ tables, column and indexes, keeping every row, key and reference', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0009-idempotency-results')
      for (const id of [1, 2])
        await sql`insert into webhook_receipts (platform, body, signature, received_at, subject)
          values ('whatsapp', ${`{"n":${id}}`}, 'sha256=x', ${T0}, '+')`.execute(db)
      await sql`insert into receipt_subjects (subject, receipt_id) values ('c:ch:31600000001', 1), ('c:ch:31600000002', 1),
        ('c:ch:31600000003', 2)`.execute(db)

      await migrateToLatest(db, dialect, schema)

      const kept = await sql<{
        id: number | string
        body: string
      }>`select id, body from webhook_notifications order by id`.execute(db)
      expect(kept.rows.map((row) => [Number(row.id), row.body])).toEqual([
        [1, '{"n":1}'],
        [2, '{"n":2}'],
      ])
      // The id sequence goes on where it was.
      const next = await sql<{
        id: number | string
      }>`insert into webhook_notifications (platform, body, signature, received_at)
        values ('whatsapp', '{}', 'sha256=x', ${T0}) returning id`.execute(db)
      expect(Number(next.rows[0]?.id)).toBe(3)
      // The subjects still reference their notification: deleting one deletes its subjects.
      if (dialect === 'sqlite') await sql`pragma foreign_keys = on`.execute(db)
      await sql`delete from webhook_notifications where id = 1`.execute(db)
      const subjects = await sql<{
        subject: string
        notification_id: number | string
      }>`select subject, notification_id
        from notification_subjects order by subject`.execute(db)
      expect(subjects.rows.map((row) => [row.subject, Number(row.notification_id)])).toEqual([
        ['c:ch:31600000003', 2],
      ])

      const names = await sql<{ name: string }>`${
        dialect === 'sqlite'
          ? sql`select name from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%'`
          : sql`select tablename as name from pg_tables where schemaname = ${schema}
              union all select indexname from pg_indexes where schemaname = ${schema}
              union all select sequencename from pg_sequences where schemaname = ${schema}
              union all select conname from pg_constraint where connamespace = ${schema}::regnamespace`
      }`.execute(db)
      const all = names.rows.map((row) => row.name)
      expect(all.filter((name) => name.includes('receipt'))).toEqual([])
      expect(all).toEqual(
        expect.arrayContaining([
          'webhook_notifications',
          'notification_subjects',
          'webhook_notifications_unprocessed',
          'webhook_notifications_unprocessed_subject',
          'webhook_notifications_dead',
          'notification_subjects_notification',
        ]),
      )
    })
    it('0013 fills each decided message’s category, pricing model, billing type and market from its decision', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0011-rate-limits')
      await insertTenantAndChannel(db)
      await sql`insert into contacts (channel_id, contact_id, country, profile_name, created_at)
        values ('ch', '31600000001', 'NL', null, ${T0})`.execute(db)
      // An explanation may quote a NUL a client sent, escaped: the decision is read as JSON all the same.
      const allowed = JSON.stringify({
        allowed: true,
        billing: { pricing_model: 'PMP', category: 'marketing', type: 'regular' },
        explanation: 'sent \u0000',
      })
      const refused = JSON.stringify({ allowed: false, billing: null })
      const rows = [
        ['m1', 'outbound', 1, allowed, 109_100, 'USD'],
        ['m2', 'outbound', 0, refused, null, null],
        ['m3', 'inbound', null, null, null, null],
      ] as const
      for (const [id, direction, isAllowed, decision, price, currency] of rows)
        await sql`insert into messages (id, tenant_id, channel_id, contact_id, direction, external_id, at, body_json,
            allowed, reason, decision_json, price_micros, currency, status, status_at, meta_pricing_json, error_json,
            created_at)
          values (${id}, 't', 'ch', '31600000001', ${direction}, null, ${T0}, null, ${isAllowed}, null, ${decision},
            ${price}, ${currency}, 'sent', ${T0}, null, null, ${T0})`.execute(db)

      await migrateToLatest(db, dialect, schema)

      const filled = await sql<
        Record<string, string | null>
      >`select id, category, pricing_model, billing_type, market
        from messages order by id`.execute(db)
      expect(filled.rows).toEqual([
        { id: 'm1', category: 'marketing', pricing_model: 'PMP', billing_type: 'regular', market: 'NL' },
        { id: 'm2', category: null, pricing_model: null, billing_type: null, market: 'NL' },
        { id: 'm3', category: null, pricing_model: null, billing_type: null, market: null },
      ])
      if (dialect === 'sqlite') {
        // SQLite's daily totals start from the messages already stored.
        const days = await sql<Record<string, string | number>>`select direction, allowed, category, currency,
            messages, amount_micros from message_cost_days order by direction, allowed`.execute(db)
        expect(days.rows).toEqual([
          { direction: 'inbound', allowed: -1, category: '', currency: '', messages: 1, amount_micros: 0 },
          { direction: 'outbound', allowed: 0, category: '', currency: '', messages: 1, amount_micros: 0 },
          {
            direction: 'outbound',
            allowed: 1,
            category: 'marketing',
            currency: 'USD',
            messages: 1,
            amount_micros: 109_100,
          },
        ])
      }
    })

    it('0017 makes every key stored before it an admin key, new keys admin unless given, and no other role', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0016-rate-cards')
      await sql`insert into tenants (id, name, webhook_url, webhook_secret, created_at) values ('t', 't', null, null, ${T0})`.execute(
        db,
      )
      await sql`insert into api_keys (id, tenant_id, name, prefix, key_hash, created_at, revoked_at)
        values ('live', 't', 'crm', 'cw_live', 'h1', ${T0}, null), ('gone', 't', 'old', 'cw_gone', 'h2', ${T0}, ${T0 + DAY})`.execute(
        db,
      )

      await migrateToLatest(db, dialect, schema)

      await sql`insert into api_keys (id, tenant_id, name, prefix, key_hash, created_at, revoked_at)
        values ('unnamed', 't', 'new', 'cw_new', 'h3', ${T0}, null)`.execute(db)
      await sql`insert into api_keys (id, tenant_id, name, prefix, key_hash, role, created_at, revoked_at)
        values ('manager', 't', 'dashboard', 'cw_man', 'h4', 'read', ${T0}, null)`.execute(db)
      const { rows } = await sql<{
        id: string
        role: string
      }>`select id, role from api_keys order by id`.execute(db)
      expect(rows).toEqual([
        { id: 'gone', role: 'admin' },
        { id: 'live', role: 'admin' },
        { id: 'manager', role: 'read' },
        { id: 'unnamed', role: 'admin' },
      ])
      await expect(
        sql`insert into api_keys (id, tenant_id, name, prefix, key_hash, role, created_at, revoked_at)
          values ('odd', 't', 'x', 'cw_odd', 'h5', 'owner', ${T0}, null)`.execute(db),
      ).rejects.toThrow(/check/i)
      await expect(sql`update api_keys set role = null where id = 'live'`.execute(db)).rejects.toThrow()
    })

    it('0019 and 0020 keep every job; due jobs are found through jobs_due on SQLite and the partial index on PostgreSQL', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0016-rate-cards')
      await insertTenantAndChannel(db)
      for (const [id, status] of [
        ['a', 'pending'],
        ['b', 'done'],
        ['c', 'cancelled'],
      ] as const)
        await sql`insert into jobs (id, kind, channel_id, contact_id, due_at, payload_json, status, attempts,
            last_error, locked_until, created_at, updated_at)
          values (${id}, 'window.closed', 'ch', '31600000001', ${T0}, '{}', ${status}, 0, null, null, ${T0}, ${T0})`.execute(
          db,
        )

      await migrateToLatest(db, dialect, schema)

      const jobs = await sql<{ id: string; status: string }>`select id, status from jobs order by id`.execute(
        db,
      )
      expect(jobs.rows).toEqual([
        { id: 'a', status: 'pending' },
        { id: 'b', status: 'done' },
        { id: 'c', status: 'cancelled' },
      ])
      const due = sql<{ id: string }>`select id from jobs where status = 'pending' and due_at <= ${T0 + DAY}
        order by due_at limit 500`
      expect((await due.execute(db)).rows).toEqual([{ id: 'a' }])
      if (dialect === 'sqlite') {
        const indexes = await sql<{ name: string }>`select name from sqlite_master
          where type = 'index' and tbl_name = 'jobs' and name not like 'sqlite_%' order by name`.execute(db)
        expect(indexes.rows).toEqual([{ name: 'jobs_due' }])
        const plan = await sql<{ detail: string }>`explain query plan select id from jobs
          where status = 'pending' and due_at <= ${T0 + DAY} order by due_at limit 500`.execute(db)
        expect(plan.rows.map((row) => row.detail).join('\n')).toContain('jobs_due')
      } else {
        const indexes = await sql<{
          indexname: string
          indexdef: string
        }>`select indexname, indexdef from pg_indexes
          where tablename = 'jobs' and schemaname = ${schema} and indexname <> 'jobs_pkey' order by indexname`.execute(
          db,
        )
        expect(indexes.rows.map((row) => row.indexname)).toEqual(['jobs_pending_due'])
        expect(indexes.rows[0]?.indexdef).toContain("WHERE (status = 'pending'::text)")
      }
    })

    it('0021 adds the table of filed closes, keyed by announced expiry and contact, leaving windows as they were', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0020-sqlite-jobs-index')
      await insertTenantAndChannel(db)
      await sql`insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at,
          announced, announced_expires_at)
        values ('ch', '31600000001', 'null', null, ${T0 + DAY}, ${T0}, 'closed', ${T0 + DAY})`.execute(db)

      await migrateToLatest(db, dialect, schema)

      const windows = await sql<{ announced: string }>`select announced from windows`.execute(db)
      expect(windows.rows).toEqual([{ announced: 'closed' }])
      const file = (contact: string) =>
        sql`insert into window_closes (announced_expires_at, channel_id, contact_id, expires_at)
          values (${T0}, 'ch', ${contact}, ${T0 + DAY}) on conflict do nothing`.execute(db)
      await file('31600000001')
      await file('31600000001')
      await file('31600000002')
      const filed = await sql<{
        contact_id: string
        expires_at: number | string
      }>`select contact_id, expires_at
        from window_closes order by contact_id`.execute(db)
      expect(filed.rows.map((row) => [row.contact_id, Number(row.expires_at)])).toEqual([
        ['31600000001', T0 + DAY],
        ['31600000002', T0 + DAY],
      ])
      if (dialect === 'sqlite') {
        const key = await sql<{
          name: string
          pk: number
        }>`select name, pk from pragma_table_info('window_closes')
          where pk > 0 order by pk`.execute(db)
        expect(key.rows.map((row) => row.name)).toEqual(['announced_expires_at', 'channel_id', 'contact_id'])
      }
    })

    it('0022 indexes the failing notifications, so asking whether any is failing does not walk the backlog', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema)
      // The text Kysely compiles for hasFailingNotifications (store/kysely/dead-notifications.ts).
      const failing =
        'select "id" from "webhook_notifications" where "processed_at" is null and ("retry_at" is not null or "dead_at" is not null) limit 1'
      if (dialect === 'sqlite') {
        const plan = await sql<{ detail: string }>`explain query plan ${sql.raw(failing)}`.execute(db)
        expect(plan.rows.map((row) => row.detail).join('\n')).toContain('webhook_notifications_failing')
      } else {
        const indexes = await sql<{ indexdef: string }>`select indexdef from pg_indexes
          where schemaname = ${schema} and indexname = 'webhook_notifications_failing'`.execute(db)
        expect(indexes.rows[0]?.indexdef).toContain(
          'WHERE ((processed_at IS NULL) AND ((retry_at IS NOT NULL) OR (dead_at IS NOT NULL)))',
        )
      }
      expect((await sql`${sql.raw(failing)}`.execute(db)).rows).toEqual([])
    })

    it('0024 keeps the throughput limits without the write-ahead log on PostgreSQL, and their rows as they were', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema, '0023-notification-claim')
      await sql`insert into rate_limits (key, tat_us, admitted) values ('number:ch', ${T0 * 1000}, 1)`.execute(
        db,
      )
      await migrateToLatest(db, dialect, schema)
      expect((await sql`select key, tat_us, admitted from rate_limits`.execute(db)).rows).toEqual([
        { key: 'number:ch', tat_us: dialect === 'postgres' ? String(T0 * 1000) : T0 * 1000, admitted: 1 },
      ])
      if (dialect === 'postgres') {
        const table = await sql<{ relpersistence: string }>`select relpersistence from pg_class
          where relname = 'rate_limits' and relnamespace = ${schema}::regnamespace`.execute(db)
        expect(table.rows).toEqual([{ relpersistence: 'u' }])
      }
    })

    it('0023 claims notifications along the unprocessed index in id order, whatever the statistics say', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema)
      await storeBacklog(db)
      const plan = await planOfPending(db, dialect, 'claim_webhook_notifications', {
        claim_at: '0',
        claim_limit: '100',
      })
      expect(plan).toContain('webhook_notifications_unprocessed')
      expect(plan).not.toMatch(/Sort|Bitmap|TEMP B-TREE/)
      if (dialect === 'postgres') {
        const claimed = await sql<{
          body: string
        }>`select body from claim_webhook_notifications(${T0}, 2)`.execute(db)
        expect(claimed.rows.map((row) => row.body)).toEqual(['{"n":0}', '{"n":1}'])
      }
    })

    it('0025 finds the oldest pending notification along the same index, never a processed, dead or later one', async () => {
      opened = await openEmpty(dialect)
      const { db, schema } = opened
      await migrateToLatest(db, dialect, schema)
      const ids = await storeBacklog(db)
      const plan = await planOfPending(db, dialect, 'oldest_pending_notification', { pending_at: '0' })
      expect(plan).toContain('webhook_notifications_unprocessed')
      expect(plan).not.toMatch(/Sort|Bitmap|TEMP B-TREE/)
      if (dialect === 'postgres') {
        const oldest = async () =>
          (await sql<{ id: string | null }>`select oldest_pending_notification(${T0}) as id`.execute(db))
            .rows[0]?.id
        expect(await oldest()).toBe(String(ids[0]))
        await sql`update webhook_notifications set dead_at = ${T0} where id = ${ids[0]}`.execute(db)
        await sql`update webhook_notifications set retry_at = ${T0 + DAY} where id = ${ids[1]}`.execute(db)
        expect(await oldest()).toBe(String(ids[2]))
        await sql`update webhook_notifications set processed_at = ${T0} where id = ${ids[2]}`.execute(db)
        expect(await oldest()).toBeNull()
      }
    })
  })
}
