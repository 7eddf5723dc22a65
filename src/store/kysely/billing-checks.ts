import type { Instant } from '../../domain/index.js'
import type { BillingCheckCounts, BillingMismatchQuery, BillingMismatchRecord } from '../store.js'
import type { Connection } from './connection.js'
import { messageOf } from './rows.js'

/** Reconciliation with Meta (BillingCheckStore), on the message rows (migration 0015). */

export async function recordBillingCheck(
  c: Connection,
  messageId: string,
  check: string,
  differencesJson: string | null,
): Promise<void> {
  await c.db
    .updateTable('messages')
    .set({ billing_check: check, billing_differences_json: differencesJson })
    .where('id', '=', messageId)
    .execute()
}

export async function listBillingMismatches(
  c: Connection,
  query: BillingMismatchQuery,
): Promise<BillingMismatchRecord[]> {
  const { after, channelId } = query
  let select = c.db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', query.tenantId)
    // The same terms as the partial index messages_billing_mismatches.
    .where('billing_check', 'is not', null)
    .where('billing_check', '<>', 'match')
    .where('at', '>=', query.from)
    .where('at', '<', query.to)
  if (channelId !== undefined) select = select.where('channel_id', '=', channelId)
  if (after !== undefined)
    select = select.where((eb) =>
      eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]),
    )
  const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute()
  return rows.map((row) => ({
    message: messageOf(row),
    cause: row.billing_check ?? 'other',
    differencesJson: row.billing_differences_json ?? '[]',
  }))
}

export async function countBillingChecks(
  c: Connection,
  tenantId: string,
  from: Instant,
  to: Instant,
  channelId?: string,
): Promise<BillingCheckCounts> {
  let select = c.db
    .selectFrom('messages')
    .select((eb) => ['billing_check', eb.fn.countAll<number | string>().as('count')])
    .where('tenant_id', '=', tenantId)
    .where('billing_check', 'is not', null)
    .where('at', '>=', from)
    .where('at', '<', to)
  if (channelId !== undefined) select = select.where('channel_id', '=', channelId)
  const rows = await select.groupBy('billing_check').execute()
  let matched = 0
  const mismatched: Record<string, number> = {}
  for (const row of rows) {
    // PostgreSQL's count is a bigint, which arrives as text.
    const count = Number(row.count)
    if (row.billing_check === 'match') matched = count
    else if (row.billing_check !== null) mismatched[row.billing_check] = count
  }
  return { matched, mismatched }
}
