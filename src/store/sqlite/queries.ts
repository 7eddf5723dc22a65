import type { DialectQueries } from '../kysely/dialect-queries.js'
import { ensureContact, readWindowState, saveWindow } from '../kysely/contacts.js'
import { scheduleJobs } from '../kysely/jobs.js'

/**
 * SQLite's ways: the portable steps, one after the other. It has a single writer, so reading a window's state is
 * already reading it under the lock, and each statement is a call into the same process (no round trip to save).
 */
export const sqliteQueries: DialectQueries = {
  lockWindow: readWindowState,
  async ensureContactAndLockWindow(c, contact) {
    await ensureContact(c, contact)
    return readWindowState(c, contact.channelId, contact.contactId)
  },
  scheduleJobs,
  async saveWindowAndScheduleJobs(c, window, jobs, now) {
    await saveWindow(c, window)
    return scheduleJobs(c, jobs, now)
  },
}
