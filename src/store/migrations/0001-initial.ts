import type { Kysely } from 'kysely'
import type { SqlDialect } from './migrations.js'

/** The first schema: tenants, keys, channels, contacts and their windows, consent, templates, messages, webhooks. */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  // Instants are integer milliseconds: `bigint` on PostgreSQL (int4 would overflow), `integer` on SQLite.
  const instant = dialect === 'postgres' ? 'bigint' : 'integer'
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer'

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('revoked_at', instant)
    .execute()

  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('upstream_json', 'text', (c) => c.notNull())
    .addColumn('app_secret', 'text', (c) => c.notNull())
    .addColumn('verify_token', 'text', (c) => c.notNull())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addUniqueConstraint('channels_platform_external_id', ['platform', 'external_id'])
    .execute()
  await db.schema.createIndex('channels_tenant').on('channels').column('tenant_id').execute()

  await db.schema
    .createTable('contacts')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('profile_name', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['channel_id', 'contact_id'])
    .execute()

  await db.schema
    .createTable('windows')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('last_user_message_at', instant)
    .addColumn('expires_at', instant)
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('windows_pk', ['channel_id', 'contact_id'])
    .execute()
  await db.schema.createIndex('windows_expiry').on('windows').columns(['channel_id', 'expires_at']).execute()

  await db.schema
    .createTable('consent_events')
    .addColumn('id', serial, (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('actor', 'text')
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('recorded_at', instant, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('consent_events_contact')
    .on('consent_events')
    .columns(['channel_id', 'contact_id', 'at'])
    .execute()

  await db.schema
    .createTable('templates')
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('issue_resolution', 'integer', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('templates_pk', ['channel_id', 'name', 'language'])
    .execute()

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('body_json', 'text')
    .addColumn('allowed', 'integer')
    .addColumn('reason', 'text')
    .addColumn('decision_json', 'text')
    .addColumn('price_micros', instant)
    .addColumn('currency', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_at', instant, (c) => c.notNull())
    .addColumn('meta_pricing_json', 'text')
    .addColumn('error_json', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    // Meta's ids are unique per channel and direction; a retried webhook finds its message here.
    .addUniqueConstraint('messages_external_id', ['channel_id', 'direction', 'external_id'])
    .execute()
  await db.schema
    .createIndex('messages_contact')
    .on('messages')
    .columns(['channel_id', 'contact_id', 'at'])
    .execute()

  await db.schema
    .createTable('webhook_receipts')
    .addColumn('id', serial, (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // X-Hub-Signature-256 as received: processing checks it against each referenced channel's app secret.
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('received_at', instant, (c) => c.notNull())
    .addColumn('processed_at', instant)
    .addColumn('error', 'text')
    .execute()
  await db.schema
    .createIndex('webhook_receipts_pending')
    .on('webhook_receipts')
    .columns(['processed_at', 'id'])
    .execute()

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', instant, (c) => c.notNull())
    .addColumn('locked_until', instant)
    .addColumn('last_error', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('delivered_at', instant)
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute()

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
    .execute()
}
