import type { DialectQueries } from '../kysely/dialect-queries.js'
import type { Connection } from '../kysely/connection.js'
import type { ContactRecord, LockedWindow } from '../store.js'
import { ensureContact, readWindowState, saveWindow } from '../kysely/contacts.js'
import { upsertJobs } from '../kysely/jobs.js'
import { insertMessageThenLock, insertMessageThenSave } from '../kysely/messages.js'
import { sumCostDays } from './cost-days.js'
import { forgetClose, readWindow } from '../kysely/window-closes.js'

/** The contact stored if new, then its window read: under SQLite's single writer, a read is a lock. */
async function lockContactWindow(c: Connection, contact: ContactRecord): Promise<LockedWindow> {
  await ensureContact(c, contact)
  return readWindow(c, contact.channelId, contact.contactId)
}

/**
 * SQLite's ways: the portable steps, one after the other. It has a single writer, so reading a window is already
 * reading it under the lock, and each statement is a call into the same process (no round trip to save); for the
 * same reason a window announced anew removes its spent close at once (window-closes.ts). Costs are summed from
 * each day's totals (cost-days.ts).
 */
export const sqliteQueries: DialectQueries = {
  lockWindow: readWindowState,
  lockContactWindow,
  insertInboundMessage: (c, message, contact) =>
    insertMessageThenLock(c, message, contact, lockContactWindow),
  insertOutboundMessage: insertMessageThenSave,
  async saveWindowWithJobs(c, window, jobs, now, announced) {
    if (announced !== undefined) await forgetClose(c, window.channelId, window.contactId)
    await saveWindow(c, window, announced)
    await upsertJobs(c, jobs, now)
  },
  sumMessageCosts: sumCostDays,
  // Triggers keep each day's totals in the transaction that writes a message: there is nothing to fill.
  fillCostDays: () => Promise.resolve(0),
}
