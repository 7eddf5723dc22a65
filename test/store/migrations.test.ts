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
      await sql`insert into tenants (id, name, webhook_url, webhook_secret, created_at) values ('t', 't', null, null, ${T0})`.execute(
        db,
      )
      await sql`insert into channels (id, tenant_id, platform, external_id, upstream_json, app_secret, verify_token,
          settings_json, automations_json, waba_id, created_at, updated_at)
        values ('ch', 't', 'whatsapp', '1', '{}', 'secret', 'token', '{}', '{}', null, ${T0}, ${T0})`.execute(
        db,
      )
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
  })
}
