import type { DialectQueries } from '../kysely/dialect-queries.js'
import { ensureContact, readWindowState, saveWindow } from '../kysely/contacts.js'
import { upsertJobs } from '../kysely/jobs.js'
import { sumCostDays } from './cost-days.js'
import { forgetClose, readWindow } from '../kysely/window-closes.js'

/**
 * SQLite's ways: the portable steps, one after the other. It has a single writer, so reading a window is already
 * reading it under the lock, and each statement is a call into the same process (no round trip to save); for the
 * same reason a window announced anew removes its spent close at once (window-closes.ts). Costs are summed from
 * each day's totals (cost-days.ts).
 */
export const sqliteQueries: DialectQueries = {
  lockWindow: readWindowState,
  async lockContactWindow(c, contact) {
    await ensureContact(c, contact)
    return readWindow(c, contact.channelId, contact.contactId)
  },
  async saveWindowWithJobs(c, window, jobs, now, announced) {
    if (announced !== undefined) await forgetClose(c, window.channelId, window.contactId)
    await saveWindow(c, window, announced)
    await upsertJobs(c, jobs, now)
  },
  sumMessageCosts: sumCostDays,
  // Triggers keep each day's totals in the transaction that writes a message: there is nothing to fill.
  fillCostDays: () => Promise.resolve(0),
}
