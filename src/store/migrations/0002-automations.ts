import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/**
 * Automations: the scheduler's jobs, cases (tickets), held replies; channels gain their automation settings and
 * the WhatsApp Business Account id (template updates from Meta name the account, not the phone number).
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const instant = dialect === 'postgres' ? 'bigint' : 'integer'

  await db.schema
    .alterTable('channels')
    .addColumn('automations_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute()
  await db.schema.alterTable('channels').addColumn('waba_id', 'text').execute()

  // One row per piece of timed work. The id is the job's identity (`window.closed:<channel>:<contact>`), so
  // scheduling it again moves it instead of adding a second one.
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('due_at', instant, (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', instant)
    .addColumn('last_error', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'due_at']).execute()

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('language', 'text')
    .addColumn('parameters_json', 'text', (c) => c.notNull())
    .addColumn('last_reengaged_at', instant)
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addUniqueConstraint('cases_external_id', ['channel_id', 'external_id'])
    .execute()
  await db.schema
    .createIndex('cases_contact')
    .on('cases')
    .columns(['channel_id', 'contact_id', 'status'])
    .execute()

  await db.schema
    .createTable('held_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('refused_message_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('expires_at', instant, (c) => c.notNull())
    .addColumn('released_at', instant)
    .execute()
  await db.schema
    .createIndex('held_messages_contact')
    .on('held_messages')
    .columns(['channel_id', 'contact_id', 'status', 'created_at'])
    .execute()
}
