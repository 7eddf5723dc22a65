import type { Platform } from '../../domain/index.js'
import type { Clock } from '../../shared/clock.js'
import type { Store } from '../../store/store.js'
import { isStoreUnavailable } from '../../store/store-errors.js'
import type { NotificationHandler } from '../webhooks/inbox-batches.js'
import type { HistoryNotification } from './history-line.js'
import { recordSentBeforehand } from './outbound-statuses.js'
import { withoutDeliveries } from './without-deliveries.js'

/** What applying history needs: the store, the inbox's handlers, the clock. */
export interface HistoryApplier {
  readonly store: Store
  readonly handlers: Readonly<Record<Platform, NotificationHandler>>
  readonly clock: Clock
}

/** What came of a batch: notifications imported and duplicates, and the lines that could not be applied. */
export interface BatchResult {
  readonly imported: number
  readonly duplicates: number
  readonly failed: readonly { readonly line: number; readonly reason: string }[]
}

/**
 * Applies a batch of notifications in one transaction, as the inbox applies a batch: each is stored (as intake
 * stores it) and applied by the inbox's own handler, then marked processed — and its digest recorded, so that
 * importing it again finds it and skips it. A crash loses the batch whole, never part of it; running the import
 * again does it then. When the batch fails, its notifications are tried one by one, each in a transaction of its
 * own, and those that still fail are reported with nothing of them written. A failure of the database itself
 * (unreachable, restarting) ends the import instead.
 */
export async function applyHistoryBatch(
  applier: HistoryApplier,
  batch: readonly HistoryNotification[],
): Promise<BatchResult> {
  try {
    return await applier.store.transaction((tx) => applyAll(applier, tx, batch))
  } catch (error) {
    if (isStoreUnavailable(error)) throw error
    const [only] = batch
    if (only !== undefined && batch.length === 1)
      return { imported: 0, duplicates: 0, failed: [{ line: only.line, reason: failure(error) }] }
  }
  let imported = 0
  let duplicates = 0
  const failed: { line: number; reason: string }[] = []
  for (const notification of batch) {
    try {
      const result = await applier.store.transaction((tx) => applyAll(applier, tx, [notification]))
      imported += result.imported
      duplicates += result.duplicates
    } catch (error) {
      if (isStoreUnavailable(error)) throw error
      failed.push({ line: notification.line, reason: failure(error) })
    }
  }
  return { imported, duplicates, failed }
}

async function applyAll(
  applier: HistoryApplier,
  tx: Store,
  batch: readonly HistoryNotification[],
): Promise<BatchResult> {
  const now = applier.clock()
  const known = await tx.findImportedDigests(batch.map((notification) => notification.digest))
  // A line repeated within the batch is a duplicate too.
  const fresh: HistoryNotification[] = []
  for (const notification of batch) {
    if (known.has(notification.digest)) continue
    known.add(notification.digest)
    fresh.push(notification)
  }
  const ids = await tx.insertNotifications(
    fresh.map(({ platform, body, signature, receivedAt, subjects }) => ({
      platform,
      body,
      signature,
      receivedAt,
      subjects,
    })),
  )
  const quiet = withoutDeliveries(tx)
  for (const [index, notification] of fresh.entries()) {
    const id = ids[index] ?? 0
    await recordSentBeforehand(tx, notification.statuses, now)
    await applier.handlers[notification.platform](quiet, {
      id,
      platform: notification.platform,
      body: notification.body,
      signature: notification.signature,
      receivedAt: notification.receivedAt,
      attempts: 0,
    })
  }
  await tx.markNotificationsProcessed(ids, now)
  await tx.recordImportedNotifications(
    fresh.map((notification, index) => ({ digest: notification.digest, notificationId: ids[index] ?? 0 })),
    now,
  )
  return { imported: fresh.length, duplicates: batch.length - fresh.length, failed: [] }
}

function failure(error: unknown): string {
  return `could not be applied: ${error instanceof Error ? error.message : String(error)}`
}
