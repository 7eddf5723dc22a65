import type { IdempotencyRecord } from '../store.js'
import type { Connection } from './connection.js'

/** Idempotency keys (IdempotencyStore). */

export async function claimIdempotencyKey(
  c: Connection,
  record: Omit<IdempotencyRecord, 'result' | 'responseStatus' | 'responseBody' | 'messageId'>,
): Promise<{ created: boolean; record: IdempotencyRecord }> {
  const inserted = await c.db
    .insertInto('idempotency_keys')
    .values({
      tenant_id: record.tenantId,
      key: record.key,
      request_hash: record.requestHash,
      result_json: null,
      response_status: null,
      response_body: null,
      message_id: null,
      created_at: record.createdAt,
    })
    .onConflict((conflict) => conflict.columns(['tenant_id', 'key']).doNothing())
    .executeTakeFirst()
  const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0
  const row = await c.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', record.tenantId)
    .where('key', '=', record.key)
    .executeTakeFirstOrThrow()
  return {
    created,
    record: {
      tenantId: row.tenant_id,
      key: row.key,
      requestHash: row.request_hash,
      result: row.result_json,
      responseStatus: row.response_status,
      responseBody: row.response_body,
      messageId: row.message_id,
      createdAt: row.created_at,
    },
  }
}

export async function bindIdempotencyKey(
  c: Connection,
  tenantId: string,
  key: string,
  messageId: string,
): Promise<void> {
  await c.db
    .updateTable('idempotency_keys')
    .set({ message_id: messageId })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute()
}

export async function completeIdempotencyKey(
  c: Connection,
  tenantId: string,
  key: string,
  result: string,
  messageId?: string,
): Promise<void> {
  await c.db
    .updateTable('idempotency_keys')
    .set({
      result_json: result,
      ...(messageId === undefined ? {} : { message_id: messageId }),
    })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute()
}

export async function completeIdempotencyKeyOfMessage(
  c: Connection,
  messageId: string,
  result: string,
): Promise<void> {
  await c.db
    .updateTable('idempotency_keys')
    .set({ result_json: result })
    .where('message_id', '=', messageId)
    .where('result_json', 'is', null)
    .where('response_status', 'is', null)
    .execute()
}

export async function releaseIdempotencyKey(c: Connection, tenantId: string, key: string): Promise<void> {
  await c.db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .where('result_json', 'is', null)
    .where('response_status', 'is', null)
    .execute()
}
