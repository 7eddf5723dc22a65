import type { Instant } from '../../domain/index.js'
import type { HistoryCursor, ImportedNotification, MessageRecord } from '../store.js'
import { inSlices, type Connection } from './connection.js'
import { messageOf } from './rows.js'

/** Imported notifications and history walks (HistoryStore). */

export async function findImportedDigests(c: Connection, digests: readonly string[]): Promise<Set<string>> {
  const found = await inSlices(digests, async (slice) =>
    (
      await c.db.selectFrom('imported_notifications').select('digest').where('digest', 'in', slice).execute()
    ).map((row) => row.digest),
  )
  return new Set(found)
}

/** Rows per insert: three parameters each, within SQLite's historical limit of 999 bound parameters. */
const IMPORTS_PER_INSERT = 300

export async function recordImportedNotifications(
  c: Connection,
  imported: readonly ImportedNotification[],
  at: Instant,
): Promise<void> {
  for (let start = 0; start < imported.length; start += IMPORTS_PER_INSERT)
    await c.db
      .insertInto('imported_notifications')
      .values(
        imported.slice(start, start + IMPORTS_PER_INSERT).map((row) => ({
          digest: row.digest,
          notification_id: row.notificationId,
          imported_at: at,
        })),
      )
      .execute()
}

/** Walks the `messages_contact` index (channel, contact, instant); the id orders messages of one instant. */
export async function listChannelHistory(
  c: Connection,
  channelId: string,
  after: HistoryCursor | null,
  limit: number,
): Promise<MessageRecord[]> {
  let query = c.db.selectFrom('messages').selectAll().where('channel_id', '=', channelId)
  if (after !== null)
    query = query.where((eb) =>
      eb.or([
        eb('contact_id', '>', after.contactId),
        eb.and([
          eb('contact_id', '=', after.contactId),
          eb.or([eb('at', '>', after.at), eb.and([eb('at', '=', after.at), eb('id', '>', after.id)])]),
        ]),
      ]),
    )
  const rows = await query.orderBy('contact_id').orderBy('at').orderBy('id').limit(limit).execute()
  return rows.map(messageOf)
}
