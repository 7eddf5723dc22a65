import type { Platform } from '../../domain/index.js'
import type { ChannelRecord } from '../store.js'
import type { Connection } from './connection.js'
import { channelOf } from './rows.js'

/** Channels (ChannelStore). */

export async function upsertChannel(c: Connection, channel: ChannelRecord): Promise<ChannelRecord> {
  const values = {
    tenant_id: channel.tenantId,
    upstream_json: JSON.stringify(channel.upstream),
    app_secret: channel.appSecret,
    verify_token: channel.verifyToken,
    settings_json: JSON.stringify(channel.settings),
    automations_json: JSON.stringify(channel.automations),
    waba_id: channel.wabaId,
    updated_at: channel.updatedAt,
  }
  await c.db
    .insertInto('channels')
    .values({
      ...values,
      id: channel.id,
      platform: channel.platform,
      external_id: channel.externalId,
      created_at: channel.createdAt,
    })
    .onConflict((conflict) => conflict.columns(['platform', 'external_id']).doUpdateSet(values))
    .execute()
  return (await findChannel(c, channel.platform, channel.externalId)) as ChannelRecord
}

export async function findChannel(
  c: Connection,
  platform: Platform,
  externalId: string,
): Promise<ChannelRecord | undefined> {
  const row = await c.db
    .selectFrom('channels')
    .selectAll()
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
  return row && channelOf(row)
}

export async function listChannels(
  c: Connection,
  filter: { tenantId?: string; platform?: Platform } = {},
): Promise<ChannelRecord[]> {
  let query = c.db.selectFrom('channels').selectAll()
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId)
  if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform)
  return (await query.orderBy('created_at').orderBy('id').execute()).map(channelOf)
}
