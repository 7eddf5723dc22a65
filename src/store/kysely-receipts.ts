import type { Kysely } from 'kysely'
import type { Instant, Platform } from '../domain/index.js'
import type { SqlDialect } from './migrations/migrations.js'
import type { Database } from './schema.js'
import { placeholders, runStatement, statement, type SqlValue, type Statement } from './sql-statement.js'
import type {
  DeadReceiptRecord,
  NewReceipt,
  ReceiptFailure,
  ReceiptRecord,
  UnappliedReceipt,
} from './store.js'

/**
 * How a receipt's subjects are kept in its `subject` column: `-` for none, the subject itself when there is one,
 * `+` for several (listed in `receipt_subjects`), and NULL — receipts stored before subjects were kept — for any.
 */
const NO_SUBJECT = '-'
const SEVERAL_SUBJECTS = '+'

function subjectColumn(subjects: readonly string[] | null): string | null {
  if (subjects === null) return null
  if (subjects.length === 0) return NO_SUBJECT
  return subjects.length === 1 ? (subjects[0] ?? null) : SEVERAL_SUBJECTS
}

/** Not processed and not dead: what the inbox may take (once a failed one is due again). */
const CLAIMABLE = 'processed_at is null and dead_at is null and (retry_at is null or retry_at <= ?)'

const RECEIPT_COLUMNS = 'id, platform, body, signature, received_at, attempts'

/**
 * The ids of the unprocessed receipts that concern `count` subjects, the first `limit` (three times) of each kind:
 * those whose one subject it is, those of any subject (NULL), and those that list it among several. Each kind is
 * looked up in its own index: with an `or`, SQLite walks the whole backlog in id order instead.
 */
function concerning(count: number): string {
  const subjects = placeholders(count)
  return (
    `select id from (select id from webhook_receipts where processed_at is null and subject in (${subjects}) ` +
    'order by id limit ?) as own ' +
    'union all ' +
    'select id from (select id from webhook_receipts where processed_at is null and subject is null ' +
    'order by id limit ?) as unscoped ' +
    'union all ' +
    'select id from (select shared.receipt_id as id from receipt_subjects as shared ' +
    'join webhook_receipts as receipt on receipt.id = shared.receipt_id ' +
    `where shared.subject in (${subjects}) and receipt.processed_at is null order by shared.receipt_id limit ?) as listed`
  )
}

const STATEMENTS = {
  claim: statement(`select ${RECEIPT_COLUMNS} from webhook_receipts where ${CLAIMABLE} order by id limit ?`),
  claimLocked: statement(
    `select ${RECEIPT_COLUMNS} from webhook_receipts where ${CLAIMABLE} order by id limit ? for update skip locked`,
  ),
  recordFailure: statement(
    'update webhook_receipts set attempts = ?, error = ?, retry_at = ?, dead_at = ? where id = ? and processed_at is null',
  ),
  lastId: statement('select max(id) as id from webhook_receipts'),
  // A failed receipt waiting for its retry is not waited for: it is not being worked on.
  oldestPendingId: statement(`select id from webhook_receipts where ${CLAIMABLE} order by id limit 1`),
} as const

/** Statements that take a list of subjects, per list length (a decision names one or two). */
const bySubjectCount = new Map<
  number,
  { readonly claim: Statement; readonly claimLocked: Statement; readonly unapplied: Statement }
>()

function subjectStatements(count: number) {
  let known = bySubjectCount.get(count)
  if (known === undefined) {
    const claim = `select ${RECEIPT_COLUMNS} from webhook_receipts where ${CLAIMABLE} and id in (${concerning(count)}) order by id limit ?`
    known = {
      claim: statement(claim),
      claimLocked: statement(`${claim} for update skip locked`),
      unapplied: statement(
        'select id, retry_at, dead_at, error from webhook_receipts where processed_at is null ' +
          `and (id <= ? or dead_at is not null) and id in (${concerning(count)}) order by id limit ?`,
      ),
    }
    bySubjectCount.set(count, known)
  }
  return known
}

/** `insert into webhook_receipts` for `count` rows, per row count (a batch has at most a few hundred). */
const insertStatements = new Map<number, Statement>()

function insertStatement(count: number): Statement {
  let known = insertStatements.get(count)
  if (known === undefined) {
    known = statement(
      'insert into webhook_receipts (platform, body, signature, received_at, subject, processed_at, error) values ' +
        Array.from({ length: count }, () => '(?, ?, ?, ?, ?, null, null)').join(', ') +
        ' returning id',
    )
    insertStatements.set(count, known)
  }
  return known
}

/** Receipts a decision looks at, at most (it waits while any is there, so the first few are enough). */
const UNAPPLIED_LIMIT = 20

type ReceiptRow = {
  readonly id: number | string
  readonly platform: string
  readonly body: string
  readonly signature: string
  readonly received_at: number
  readonly attempts: number
}

/**
 * The inbox part of the Kysely store (`webhook_receipts`, `receipt_subjects`), over one Kysely instance — the root
 * database or a transaction. `locks` is true inside a PostgreSQL transaction, where claims skip the receipts
 * another worker holds. `inTransaction` runs work atomically (the store's own transaction, grouped on SQLite).
 */
export class KyselyReceipts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly locks: boolean,
    private readonly inTransaction: <T>(work: (receipts: KyselyReceipts) => Promise<T>) => Promise<T>,
  ) {}

  private run<R>(sql: Statement, parameters: readonly SqlValue[]) {
    return runStatement<R>(this.db as Kysely<unknown>, this.dialect, sql, parameters)
  }

  /** One statement for the receipts; receipts with several subjects list them in the same transaction. */
  async insert(receipts: readonly NewReceipt[]): Promise<number[]> {
    if (receipts.length === 0) return []
    if (receipts.some((receipt) => (receipt.subjects?.length ?? 0) > 1))
      return this.inTransaction((tx) => tx.insertWithSubjects(receipts))
    return this.insertRows(receipts)
  }

  private async insertWithSubjects(receipts: readonly NewReceipt[]): Promise<number[]> {
    const ids = await this.insertRows(receipts)
    const listed = receipts.flatMap((receipt, index) =>
      (receipt.subjects?.length ?? 0) > 1
        ? (receipt.subjects ?? []).map((subject) => ({ subject, receipt_id: ids[index] ?? 0 }))
        : [],
    )
    await this.listSubjects(listed)
    return ids
  }

  private async insertRows(receipts: readonly NewReceipt[]): Promise<number[]> {
    const parameters: SqlValue[] = []
    for (const receipt of receipts)
      parameters.push(
        receipt.platform,
        receipt.body,
        receipt.signature,
        receipt.receivedAt,
        subjectColumn(receipt.subjects),
      )
    const { rows } = await this.run<{ id: number | string }>(insertStatement(receipts.length), parameters)
    return rows.map((row) => Number(row.id))
  }

  private async listSubjects(rows: readonly { subject: string; receipt_id: number }[]): Promise<void> {
    // In slices: SQLite limits the number of bound parameters in one statement.
    for (let start = 0; start < rows.length; start += 400)
      await this.db
        .insertInto('receipt_subjects')
        .values(rows.slice(start, start + 400))
        .onConflict((conflict) => conflict.doNothing())
        .execute()
  }

  async claim(limit: number, now: Instant, subjects?: readonly string[]): Promise<ReceiptRecord[]> {
    let rows: readonly ReceiptRow[]
    if (subjects === undefined || subjects.length === 0) {
      rows = (
        await this.run<ReceiptRow>(this.locks ? STATEMENTS.claimLocked : STATEMENTS.claim, [now, limit])
      ).rows
    } else {
      const statements = subjectStatements(subjects.length)
      rows = (
        await this.run<ReceiptRow>(this.locks ? statements.claimLocked : statements.claim, [
          now,
          ...subjects,
          limit,
          limit,
          ...subjects,
          limit,
          limit,
        ])
      ).rows
    }
    return rows.map((row) => ({
      id: Number(row.id),
      platform: row.platform as Platform,
      body: row.body,
      signature: row.signature,
      receivedAt: row.received_at,
      attempts: row.attempts,
    }))
  }

  async markProcessed(ids: readonly number[], at: Instant): Promise<void> {
    if (ids.length === 0) return
    await this.db
      .updateTable('webhook_receipts')
      .set({ processed_at: at, error: null })
      .where('id', 'in', ids)
      .execute()
  }

  async recordFailure(id: number, failure: ReceiptFailure): Promise<void> {
    const isDead = failure.retryAt === null
    await this.run(STATEMENTS.recordFailure, [
      failure.attempts,
      failure.error,
      failure.retryAt,
      isDead ? failure.at : null,
      id,
    ])
    // A dead letter keeps decisions about what it concerns refused: it must name exactly that.
    if (isDead && failure.subjects !== undefined) {
      await this.db
        .updateTable('webhook_receipts')
        .set({ subject: subjectColumn(failure.subjects) })
        .where('id', '=', id)
        .execute()
      await this.db.deleteFrom('receipt_subjects').where('receipt_id', '=', id).execute()
      if (failure.subjects.length > 1)
        await this.listSubjects(failure.subjects.map((subject) => ({ subject, receipt_id: id })))
    }
  }

  async retryDead(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_receipts')
      .set({ dead_at: null, retry_at: null, attempts: 0 })
      .where('id', '=', id)
      .where('dead_at', 'is not', null)
      .where('processed_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async discardDead(id: number, at: Instant, reason: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_receipts')
      .set({ processed_at: at, error: reason })
      .where('id', '=', id)
      .where('dead_at', 'is not', null)
      .where('processed_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async listDead(afterId: number, limit: number): Promise<DeadReceiptRecord[]> {
    const rows = await this.db
      .selectFrom('webhook_receipts')
      .select(['id', 'platform', 'body', 'signature', 'received_at', 'attempts', 'dead_at', 'error'])
      .where('dead_at', 'is not', null)
      .where('processed_at', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map((row) => ({
      id: row.id,
      platform: row.platform as Platform,
      body: row.body,
      signature: row.signature,
      receivedAt: row.received_at,
      attempts: row.attempts,
      deadAt: row.dead_at ?? 0,
      error: row.error ?? '',
    }))
  }

  async countPending(): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_receipts')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('processed_at', 'is', null)
      .where('dead_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async countDead(): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_receipts')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('dead_at', 'is not', null)
      .where('processed_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }

  async hasFailing(): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhook_receipts')
      .select('id')
      .where('processed_at', 'is', null)
      .where((eb) => eb.or([eb('retry_at', 'is not', null), eb('dead_at', 'is not', null)]))
      .limit(1)
      .executeTakeFirst()
    return row !== undefined
  }

  async lastId(): Promise<number> {
    const { rows } = await this.run<{ id: number | string | null }>(STATEMENTS.lastId, [])
    return Number(rows[0]?.id ?? 0)
  }

  async oldestPendingId(now: Instant): Promise<number | null> {
    const { rows } = await this.run<{ id: number | string }>(STATEMENTS.oldestPendingId, [now])
    const id = rows[0]?.id
    return id === undefined ? null : Number(id)
  }

  async unapplied(subjects: readonly string[], throughId: number): Promise<UnappliedReceipt[]> {
    if (subjects.length === 0) return []
    const { rows } = await this.run<{
      id: number | string
      retry_at: number | string | null
      dead_at: number | string | null
      error: string | null
    }>(subjectStatements(subjects.length).unapplied, [
      throughId,
      ...subjects,
      UNAPPLIED_LIMIT,
      UNAPPLIED_LIMIT,
      ...subjects,
      UNAPPLIED_LIMIT,
      UNAPPLIED_LIMIT,
    ])
    return rows.map((row) => ({
      id: Number(row.id),
      retryAt: row.retry_at === null ? null : Number(row.retry_at),
      deadAt: row.dead_at === null ? null : Number(row.dead_at),
      error: row.error,
    }))
  }
}
