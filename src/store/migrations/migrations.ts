import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
import * as initial from './0001-initial.js'
import * as automations from './0002-automations.js'
import * as unprocessedNotifications from './0003-unprocessed-receipts.js'
import * as notificationSubjects from './0004-receipt-subjects.js'
import * as deadLetters from './0005-dead-letters.js'
import * as idempotencyIntents from './0006-idempotency-intents.js'
import * as deadDeliveries from './0007-dead-deliveries.js'
import * as windowAnnouncements from './0008-window-announcements.js'
import * as idempotencyResults from './0009-idempotency-results.js'
import * as notificationNames from './0010-notification-names.js'
import * as rateLimits from './0011-rate-limits.js'
import * as messageCosts from './0013-message-costs.js'
import * as importedNotifications from './0014-imported-notifications.js'
import * as billingChecks from './0015-billing-checks.js'
import * as rateCards from './0016-rate-cards.js'
import * as apiKeyRoles from './0017-api-key-roles.js'
import * as pendingJobsIndex from './0019-pending-jobs-index.js'
import * as sqliteJobsIndex from './0020-sqlite-jobs-index.js'
import * as windowCloses from './0021-window-closes.js'
import * as failingNotificationsIndex from './0022-failing-notifications-index.js'
import * as notificationClaim from './0023-notification-claim.js'
import * as unloggedRateLimits from './0024-unlogged-rate-limits.js'
import * as oldestPendingNotification from './0025-oldest-pending-notification.js'

export type SqlDialect = 'sqlite' | 'postgres'

/** Migrations as code, in order; each runs once per database, recorded by Kysely in `kysely_migration`. */
function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-initial': { up: (db) => initial.up(db, dialect) },
    '0002-automations': { up: (db) => automations.up(db, dialect) },
    '0003-unprocessed-receipts': { up: (db) => unprocessedNotifications.up(db) },
    '0004-receipt-subjects': { up: (db) => notificationSubjects.up(db) },
    '0005-dead-letters': { up: (db) => deadLetters.up(db, dialect) },
    '0006-idempotency-intents': { up: (db) => idempotencyIntents.up(db) },
    '0007-dead-deliveries': { up: (db) => deadDeliveries.up(db, dialect) },
    '0008-window-announcements': { up: (db) => windowAnnouncements.up(db, dialect) },
    '0009-idempotency-results': { up: (db) => idempotencyResults.up(db) },
    '0010-notification-names': { up: (db) => notificationNames.up(db, dialect) },
    '0011-rate-limits': { up: (db) => rateLimits.up(db, dialect) },
    '0013-message-costs': { up: (db) => messageCosts.up(db, dialect) },
    '0014-imported-notifications': { up: (db) => importedNotifications.up(db, dialect) },
    '0015-billing-checks': { up: (db) => billingChecks.up(db) },
    '0016-rate-cards': { up: (db) => rateCards.up(db, dialect) },
    '0017-api-key-roles': { up: (db) => apiKeyRoles.up(db) },
    '0019-pending-jobs-index': { up: (db) => pendingJobsIndex.up(db) },
    '0020-sqlite-jobs-index': { up: (db) => sqliteJobsIndex.up(db, dialect) },
    '0021-window-closes': { up: (db) => windowCloses.up(db, dialect) },
    '0022-failing-notifications-index': { up: (db) => failingNotificationsIndex.up(db) },
    '0023-notification-claim': { up: (db) => notificationClaim.up(db, dialect) },
    '0024-unlogged-rate-limits': { up: (db) => unloggedRateLimits.up(db, dialect) },
    '0025-oldest-pending-notification': { up: (db) => oldestPendingNotification.up(db, dialect) },
  }
}

/**
 * Brings the schema up to date. Throws with the failing migration's name when one fails. `schema` (PostgreSQL)
 * is where the tables live: without it Kysely takes a `kysely_migration` table in any schema of the database
 * for its own, so a second schema (another carewindow, a test suite) would never be migrated.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  schema?: string,
  /** Stop after this migration (tests of a migration run it on rows an older schema held). */
  through?: string,
): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrationsFor(dialect)) },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
  const result = await (through === undefined ? migrator.migrateToLatest() : migrator.migrateTo(through))
  if (result.error !== undefined) {
    const failed =
      result.results?.find((migration) => migration.status === 'Error')?.migrationName ?? 'unknown'
    const reason = result.error instanceof Error ? result.error.message : JSON.stringify(result.error)
    throw new Error(`migration ${failed} failed: ${reason}`, { cause: result.error })
  }
  return result
}
