import { sql, type Kysely } from 'kysely'

/**
 * API keys get a role (ApiKeyRole): `admin` may do everything, `read` may only look. Every key made before is an
 * admin key and works exactly as it did; the check keeps any other value out, so a key is never half one role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('role', 'text', (c) =>
      c
        .notNull()
        .defaultTo('admin')
        .check(sql`role in ('admin', 'read')`),
    )
    .execute()
}
