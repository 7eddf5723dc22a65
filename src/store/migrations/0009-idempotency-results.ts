import type { Kysely } from 'kysely'

/**
 * An Idempotency-Key keeps what its first request came to as a value (`result_json`: the send's result), which the
 * HTTP layer answers each repeat with, instead of the reply as it was sent. Keys answered before keep their
 * `response_status` and `response_body` and are answered with them as they are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('result_json', 'text').execute()
}
