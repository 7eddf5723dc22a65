import { AsyncLocalStorage } from 'node:async_hooks'
import {
  sql,
  type Kysely,
  type QueryResult,
  type Selectable,
  type Transaction,
  type Updateable,
} from 'kysely'
import type { ConsentEvent, ContactState, Instant, Platform, Template } from '../domain/index.js'
import { automationsSchema, DEFAULT_AUTOMATIONS, type Automations } from '../config/automations.js'
import { Batches, type Settled } from './group-commit.js'
import * as automations from './kysely-automations.js'
import * as deliveries from './kysely-deliveries.js'
import { KyselyReceipts } from './kysely-receipts.js'
import { runStatement, statement, type SqlValue, type Statement } from './sql-statement.js'
import type { SqlDialect } from './migrations/migrations.js'
import type {
  ApiKeysTable,
  ChannelsTable,
  ConsentEventsTable,
  ContactsTable,
  Database,
  MessagesTable,
  TenantsTable,
  WindowsTable,
} from './schema.js'
import type {
  ApiKeyRecord,
  CasePatch,
  CaseRecord,
  ChannelRecord,
  HeldMessageRecord,
  HoldPatch,
  HoldStatus,
  JobRecord,
  JobStatus,
  ScheduledJob,
  StaleSend,
  ContactRecord,
  DeliveryCursor,
  DeliveryRecord,
  DeliveryStatus,
  IdempotencyRecord,
  MessageDirection,
  MessagePatch,
  MessageRecord,
  MessageStatus,
  DeadReceiptRecord,
  NewReceipt,
  ReceiptFailure,
  ReceiptRecord,
  Store,
  StoredConsentEvent,
  TenantRecord,
  UnappliedReceipt,
  UpstreamConfig,
  WindowQuery,
  WindowRecord,
} from './store.js'

/**
 * The root store whose transaction the current async call chain is inside, if any — kept in tests (Vitest sets
 * `NODE_ENV=test`) or with `CAREWINDOW_CHECK_TRANSACTIONS=1`, where it catches a query that would deadlock.
 * Production runs without: an `AsyncLocalStorage` in use installs promise hooks that tax every promise in the
 * process (a tenth of a webhook's cost).
 */
const openTransaction =
  process.env.NODE_ENV === 'test' || process.env.CAREWINDOW_CHECK_TRANSACTIONS === '1'
    ? new AsyncLocalStorage<KyselyStore>()
    : undefined

/** SQLite transactions run together in one database transaction at most. */
const MAX_GROUPED_TRANSACTIONS = 64

const MESSAGE_COLUMNS =
  'id, tenant_id, channel_id, contact_id, direction, external_id, at, body_json, allowed, reason, ' +
  'decision_json, price_micros, currency, status, status_at, meta_pricing_json, error_json, created_at'

const SAVE_WINDOW =
  'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
  'values (?, ?, ?, ?, ?, ?) on conflict (channel_id, contact_id) do update set ' +
  'state_json = excluded.state_json, last_user_message_at = excluded.last_user_message_at, ' +
  'expires_at = excluded.expires_at, updated_at = excluded.updated_at'

const UPSERT_JOB_INTO =
  'insert into jobs (id, kind, channel_id, contact_id, due_at, payload_json, status, attempts, last_error, ' +
  'locked_until, created_at, updated_at)'
const UPSERT_JOB_ROW = "(?, ?, ?, ?, ?, ?, 'pending', 0, null, null, ?, ?)"
const UPSERT_JOB_CONFLICT =
  'on conflict (id) do update set due_at = excluded.due_at, payload_json = excluded.payload_json, ' +
  "status = 'pending', locked_until = null, updated_at = excluded.updated_at"

/**
 * The statements every webhook and every send runs, as SQL text written once. Kysely builds and compiles each
 * query anew from its builder calls, which cost more than SQLite took to run the statement; the text here is
 * what those builders produced (same clauses, same parameters), and a constant text also hits the SQLite
 * statement cache without hashing a fresh string.
 */
const HOT = {
  getTenant: statement('select * from tenants where id = ?'),
  insertContact: statement(
    'insert into contacts (channel_id, contact_id, country, profile_name, created_at) values (?, ?, ?, ?, ?) ' +
      'on conflict (channel_id, contact_id) do nothing returning *',
  ),
  upsertContactName: statement(
    'insert into contacts (channel_id, contact_id, country, profile_name, created_at) values (?, ?, ?, ?, ?) ' +
      'on conflict (channel_id, contact_id) do update set profile_name = excluded.profile_name returning *',
  ),
  getContact: statement('select * from contacts where channel_id = ? and contact_id = ?'),
  readWindowState: statement('select state_json from windows where channel_id = ? and contact_id = ?'),
  // PostgreSQL: one round trip that creates the row to lock if it is missing and locks it either way (the
  // conflict path takes the row lock an UPDATE takes, as FOR UPDATE does) and returns the state it holds.
  lockWindowState: statement(
    'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
      "values (?, ?, 'null', null, null, 0) on conflict (channel_id, contact_id) " +
      'do update set state_json = windows.state_json returning state_json',
  ),
  // PostgreSQL: the contact upsert and the window lock in one round trip. The window row is inserted from the
  // contact upsert's output, so the contact row is written (and locked) before the window row is locked, the order
  // of the two statements it replaces (and of a send's).
  upsertContactNameLockWindowState: statement(
    'with contact as (' +
      'insert into contacts (channel_id, contact_id, country, profile_name, created_at) values (?, ?, ?, ?, ?) ' +
      'on conflict (channel_id, contact_id) do update set profile_name = excluded.profile_name ' +
      'returning channel_id, contact_id) ' +
      'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at) ' +
      "select channel_id, contact_id, 'null', null, null, 0 from contact on conflict (channel_id, contact_id) " +
      'do update set state_json = windows.state_json returning state_json',
  ),
  saveWindow: statement(SAVE_WINDOW),
  listConsent: statement(
    'select * from consent_events where channel_id = ? and contact_id = ? order by at, id',
  ),
  insertMessage: statement(
    `insert into messages (${MESSAGE_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      'on conflict (channel_id, direction, external_id) do nothing',
  ),
  findMessageByExternalId: statement(
    'select * from messages where channel_id = ? and direction = ? and external_id = ?',
  ),
} as const

/** Scheduling `count` jobs at once, per count: every inbound message (re)schedules two or three window jobs. */
const scheduleJobsStatementsByCount = new Map<
  number,
  {
    readonly statuses: Statement
    readonly upsert: Statement
    readonly upsertReturningPrevious: Statement
    readonly savingWindowUpsertReturningPrevious: Statement
  }
>()

function scheduleJobsStatements(count: number) {
  let known = scheduleJobsStatementsByCount.get(count)
  if (known === undefined) {
    const ids = Array.from({ length: count }, () => '?').join(', ')
    const rows = Array.from({ length: count }, () => UPSERT_JOB_ROW).join(', ')
    const upsert = `${UPSERT_JOB_INTO} values ${rows} ${UPSERT_JOB_CONFLICT}`
    known = {
      statuses: statement(`select id, status from jobs where id in (${ids})`),
      upsert: statement(upsert),
      // PostgreSQL: the statuses before the upsert in the same round trip (every part of a statement reads the
      // snapshot it started with, as the separate read would); no status for a new job.
      upsertReturningPrevious: statement(
        `with previous as (select id, status from jobs where id in (${ids})) ${upsert} ` +
          'returning jobs.id, (select status from previous where previous.id = jobs.id) as status',
      ),
      // PostgreSQL: the same, with the contact's window saved in that round trip too (its row is already locked).
      savingWindowUpsertReturningPrevious: statement(
        `with saved as (${SAVE_WINDOW}), previous as (select id, status from jobs where id in (${ids})) ${upsert} ` +
          'returning jobs.id, (select status from previous where previous.id = jobs.id) as status',
      ),
    }
    scheduleJobsStatementsByCount.set(count, known)
  }
  return known
}

/** `update messages set …` per combination of patched columns. */
const updateMessageStatements = new Map<string, Statement>()

/**
 * The Store over Kysely, shared by both adapters: the SQL is the same on SQLite and PostgreSQL except for
 * row locks, which only PostgreSQL needs (SQLite has a single writer).
 */
export class KyselyStore implements Store {
  constructor(
    private readonly database: Kysely<Database>,
    readonly dialect: SqlDialect,
    private readonly onClose: () => Promise<void> = () => database.destroy(),
    private readonly inTransaction = false,
  ) {}

  /**
   * Every query goes through here. SQLite has one connection: a query on the root store from inside one of its
   * own transactions would wait for that transaction forever, so it fails at once, naming the mistake.
   */
  private get db(): Kysely<Database> {
    this.assertOutsideOwnTransaction()
    return this.database
  }

  private assertOutsideOwnTransaction(): void {
    if (!this.inTransaction && this.dialect === 'sqlite' && openTransaction?.getStore() === this)
      throw new Error(
        'a store query inside a transaction must use the transaction’s store (the `tx` argument)',
      )
  }

  private get locks(): boolean {
    return this.dialect === 'postgres' && this.inTransaction
  }

  /** Runs one of the statements written out above. */
  private run<R>(sql: Statement, parameters: readonly SqlValue[]): Promise<QueryResult<R>> {
    return runStatement<R>(this.db as Kysely<unknown>, this.dialect, sql, parameters)
  }

  private get receipts(): KyselyReceipts {
    return new KyselyReceipts(this.db, this.dialect, this.locks, (work) =>
      this.transaction((tx) => {
        if (!(tx instanceof KyselyStore))
          throw new Error('a Kysely store’s transaction runs on a Kysely store')
        return work(tx.receipts)
      }),
    )
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this)
    if (this.dialect === 'postgres')
      return this.db.transaction().execute((trx: Transaction<Database>) => this.runInside(trx, work))
    // A transaction opened from inside one of this store's own would wait for it forever: fail at once.
    this.assertOutsideOwnTransaction()
    return this.grouped.submit(work) as Promise<T>
  }

  /** Runs `work` on a store of its own over `trx` (its own cache of tenants read), inside the guard. */
  private runInside<T>(trx: Transaction<Database>, work: (tx: Store) => Promise<T>): Promise<T> {
    const inside = () => work(new KyselyStore(trx, this.dialect, this.onClose, true))
    return openTransaction === undefined ? inside() : openTransaction.run(this, inside)
  }

  /**
   * Group commit for SQLite transactions. SQLite has one writer, so transactions run one after the other anyway;
   * those asked for in the same turn of the event loop run in one database transaction, each inside a savepoint
   * of its own, and share its commit — most of a small transaction's cost. Each caller is answered after that
   * commit, so what it wrote is as durable as before; one that fails is rolled back to its savepoint and fails
   * alone, and the others commit.
   */
  private readonly grouped = new Batches<(tx: Store) => Promise<unknown>, unknown>(
    (works) =>
      this.database.transaction().execute(async (trx: Transaction<Database>) => {
        // Alone, a failing work fails the transaction itself: nothing to keep, no savepoint needed.
        if (works.length === 1 && works[0] !== undefined)
          return [{ value: await this.runInside(trx, works[0]) }]
        const outcomes: Settled<unknown>[] = []
        for (const work of works) {
          await sql`savepoint grouped`.execute(trx)
          try {
            outcomes.push({ value: await this.runInside(trx, work) })
          } catch (error) {
            await sql`rollback to grouped`.execute(trx)
            outcomes.push({ error })
          }
          await sql`release grouped`.execute(trx)
        }
        return outcomes
      }),
    MAX_GROUPED_TRANSACTIONS,
  )

  async ping(): Promise<void> {
    await this.db.selectFrom('tenants').select('id').limit(1).execute()
  }

  close(): Promise<void> {
    return this.onClose()
  }

  // Tenants and keys

  /**
   * Tenants read inside this transaction: a batch of webhooks relays to the same few tenants, and reading each
   * again per notification was one database round trip in five. Only a transaction's store keeps them (for its
   * short life); writing a tenant forgets them.
   */
  private readonly tenantsRead = new Map<string, TenantRecord | undefined>()

  async upsertTenant(tenant: TenantRecord): Promise<void> {
    this.tenantsRead.clear()
    await this.db
      .insertInto('tenants')
      .values({
        id: tenant.id,
        name: tenant.name,
        webhook_url: tenant.webhookUrl,
        webhook_secret: tenant.webhookSecret,
        created_at: tenant.createdAt,
      })
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          name: tenant.name,
          webhook_url: tenant.webhookUrl,
          webhook_secret: tenant.webhookSecret,
        }),
      )
      .execute()
  }

  async getTenant(id: string): Promise<TenantRecord | undefined> {
    if (this.inTransaction && this.tenantsRead.has(id)) return this.tenantsRead.get(id)
    const { rows } = await this.run<Selectable<TenantsTable>>(HOT.getTenant, [id])
    const row = rows[0]
    const tenant = row && tenantOf(row)
    if (this.inTransaction) this.tenantsRead.set(id, tenant)
    return tenant
  }

  async listTenants(): Promise<TenantRecord[]> {
    return (await this.db.selectFrom('tenants').selectAll().orderBy('id').execute()).map(tenantOf)
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        tenant_id: key.tenantId,
        name: key.name,
        prefix: key.prefix,
        key_hash: key.keyHash,
        created_at: key.createdAt,
        revoked_at: key.revokedAt,
      })
      .execute()
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return row && apiKeyOf(row)
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute()
    return rows.map(apiKeyOf)
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  // Channels

  async upsertChannel(channel: ChannelRecord): Promise<ChannelRecord> {
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
    await this.db
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
    return (await this.findChannel(channel.platform, channel.externalId)) as ChannelRecord
  }

  async findChannel(platform: Platform, externalId: string): Promise<ChannelRecord | undefined> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('platform', '=', platform)
      .where('external_id', '=', externalId)
      .executeTakeFirst()
    return row && channelOf(row)
  }

  async listChannels(filter: { tenantId?: string; platform?: Platform } = {}): Promise<ChannelRecord[]> {
    let query = this.db.selectFrom('channels').selectAll()
    if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId)
    if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform)
    return (await query.orderBy('created_at').orderBy('id').execute()).map(channelOf)
  }

  // Contacts and windows

  async ensureContact(contact: ContactRecord): Promise<ContactRecord> {
    const values = [
      contact.channelId,
      contact.contactId,
      contact.country,
      contact.profileName,
      contact.createdAt,
    ]
    // With a profile name: insert, or update the name, in one statement. Without: insert if new, else read it.
    const { rows } = await this.run<Selectable<ContactsTable>>(
      contact.profileName === null ? HOT.insertContact : HOT.upsertContactName,
      values,
    )
    const row = rows[0]
    return row === undefined
      ? ((await this.getContact(contact.channelId, contact.contactId)) as ContactRecord)
      : contactOf(row)
  }

  async getContact(channelId: string, contactId: string): Promise<ContactRecord | undefined> {
    const { rows } = await this.run<Selectable<ContactsTable>>(HOT.getContact, [channelId, contactId])
    const row = rows[0]
    return row && contactOf(row)
  }

  getContacts(channelId: string, contactIds: readonly string[]): Promise<ContactRecord[]> {
    return inSlices(contactIds, async (slice) =>
      (
        await this.db
          .selectFrom('contacts')
          .selectAll()
          .where('channel_id', '=', channelId)
          .where('contact_id', 'in', slice)
          .execute()
      ).map(contactOf),
    )
  }

  async getWindow(channelId: string, contactId: string): Promise<WindowRecord | undefined> {
    const row = await this.db
      .selectFrom('windows')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('contact_id', '=', contactId)
      // The row `lockWindow` creates to lock on holds no state until a window is saved.
      .where('state_json', '!=', 'null')
      .executeTakeFirst()
    return row && windowOf(row)
  }

  getWindows(channelId: string, contactIds: readonly string[]): Promise<WindowRecord[]> {
    return inSlices(contactIds, async (slice) =>
      (
        await this.db
          .selectFrom('windows')
          .selectAll()
          .where('channel_id', '=', channelId)
          .where('contact_id', 'in', slice)
          // The row `lockWindow` creates to lock on holds no state until a window is saved.
          .where('state_json', '!=', 'null')
          .execute()
      ).map(windowOf),
    )
  }

  async lockWindow(channelId: string, contactId: string): Promise<ContactState | undefined> {
    // PostgreSQL: a row to lock must exist — two first writers for a new contact would otherwise both read
    // "no state" — so the row is created if missing and locked in the same statement.
    const { rows } = await this.run<{ state_json: string }>(
      this.locks ? HOT.lockWindowState : HOT.readWindowState,
      [channelId, contactId],
    )
    return stateOf(rows[0])
  }

  async ensureContactAndLockWindow(contact: ContactRecord): Promise<ContactState | undefined> {
    if (!this.locks || contact.profileName === null) {
      await this.ensureContact(contact)
      return this.lockWindow(contact.channelId, contact.contactId)
    }
    const { rows } = await this.run<{ state_json: string }>(HOT.upsertContactNameLockWindowState, [
      contact.channelId,
      contact.contactId,
      contact.country,
      contact.profileName,
      contact.createdAt,
    ])
    return stateOf(rows[0])
  }

  async saveWindow(window: WindowRecord): Promise<void> {
    await this.run(HOT.saveWindow, windowParameters(window))
  }

  async listWindows(channelId: string, query: WindowQuery): Promise<WindowRecord[]> {
    let select = this.db
      .selectFrom('windows')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('state_json', '!=', 'null')
    if (query.state === 'open') select = select.where('expires_at', '>', query.at)
    if (query.state === 'closed')
      select = select.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '<=', query.at)]))
    const after = query.after
    if (query.sort === 'contact_id') {
      if (after !== undefined) select = select.where('contact_id', '>', after.contactId)
      select = select.orderBy('contact_id')
    } else {
      // Soonest expiry first, contacts without a window last (NULL expiry sorts as a sentinel), ties by id.
      const expiry = sql<number>`coalesce(expires_at, ${sql.lit(Number.MAX_SAFE_INTEGER)})`
      if (after !== undefined) {
        const afterExpiry = after.expiresAt ?? Number.MAX_SAFE_INTEGER
        select = select.where((eb) =>
          eb.or([
            eb(expiry, '>', afterExpiry),
            eb.and([eb(expiry, '=', afterExpiry), eb('contact_id', '>', after.contactId)]),
          ]),
        )
      }
      select = select.orderBy(expiry).orderBy('contact_id')
    }
    return (await select.limit(query.limit).execute()).map(windowOf)
  }

  // Consent

  async appendConsent(
    channelId: string,
    contactId: string,
    event: ConsentEvent,
    recordedAt: number,
  ): Promise<StoredConsentEvent> {
    const row = await this.db
      .insertInto('consent_events')
      .values({
        channel_id: channelId,
        contact_id: contactId,
        kind: event.kind,
        scope: event.scope,
        source: event.source,
        evidence: event.evidence ?? null,
        actor: event.actor ?? null,
        at: event.at,
        recorded_at: recordedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return consentOf(row)
  }

  async listConsent(channelId: string, contactId: string): Promise<StoredConsentEvent[]> {
    const { rows } = await this.run<Selectable<ConsentEventsTable>>(HOT.listConsent, [channelId, contactId])
    return rows.map(consentOf)
  }

  // Templates

  async upsertTemplate(channelId: string, template: Template, at: number): Promise<void> {
    const values = {
      category: template.category,
      status: template.status,
      issue_resolution: template.issueResolution ? 1 : 0,
      definition_json: JSON.stringify(template),
      updated_at: at,
    }
    await this.db
      .insertInto('templates')
      .values({ ...values, channel_id: channelId, name: template.name, language: template.language })
      .onConflict((conflict) => conflict.columns(['channel_id', 'name', 'language']).doUpdateSet(values))
      .execute()
  }

  async getTemplate(channelId: string, name: string, language: string): Promise<Template | undefined> {
    const row = await this.db
      .selectFrom('templates')
      .select('definition_json')
      .where('channel_id', '=', channelId)
      .where('name', '=', name)
      .where('language', '=', language)
      .executeTakeFirst()
    return row && (JSON.parse(row.definition_json) as Template)
  }

  async listTemplates(channelId: string): Promise<Template[]> {
    const rows = await this.db
      .selectFrom('templates')
      .select('definition_json')
      .where('channel_id', '=', channelId)
      .orderBy('name')
      .orderBy('language')
      .execute()
    return rows.map((row) => JSON.parse(row.definition_json) as Template)
  }

  async deleteTemplate(channelId: string, name: string, language: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('templates')
      .where('channel_id', '=', channelId)
      .where('name', '=', name)
      .where('language', '=', language)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  // Messages

  async insertMessage(message: MessageRecord): Promise<boolean> {
    const result = await this.run(HOT.insertMessage, [
      message.id,
      message.tenantId,
      message.channelId,
      message.contactId,
      message.direction,
      message.externalId,
      message.at,
      message.bodyJson,
      message.allowed === null ? null : message.allowed ? 1 : 0,
      message.reason,
      message.decisionJson,
      message.priceMicros,
      message.currency,
      message.status,
      message.statusAt,
      message.metaPricingJson,
      message.errorJson,
      message.createdAt,
    ])
    return Number(result.numAffectedRows ?? 0) > 0
  }

  async updateMessage(id: string, patch: MessagePatch): Promise<void> {
    const set: Updateable<MessagesTable> = {}
    if (patch.externalId !== undefined) set.external_id = patch.externalId
    if (patch.status !== undefined) set.status = patch.status
    if (patch.statusAt !== undefined) set.status_at = patch.statusAt
    if (patch.metaPricingJson !== undefined) set.meta_pricing_json = patch.metaPricingJson
    if (patch.errorJson !== undefined) set.error_json = patch.errorJson
    const columns = Object.keys(set) as (keyof typeof set)[]
    if (columns.length === 0) return
    const key = columns.join(',')
    let update = updateMessageStatements.get(key)
    if (update === undefined) {
      update = statement(
        `update messages set ${columns.map((column) => `${column} = ?`).join(', ')} where id = ?`,
      )
      updateMessageStatements.set(key, update)
    }
    await this.run(update, [...columns.map((column) => set[column] as SqlValue), id])
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst()
    return row && messageOf(row)
  }

  async findMessageByExternalId(
    channelId: string,
    direction: MessageDirection,
    externalId: string,
  ): Promise<MessageRecord | undefined> {
    const { rows } = await this.run<Selectable<MessagesTable>>(HOT.findMessageByExternalId, [
      channelId,
      direction,
      externalId,
    ])
    const row = rows[0]
    return row && messageOf(row)
  }

  // Webhook receipts (the inbox): kysely-receipts.ts

  insertReceipts(receipts: readonly NewReceipt[]): Promise<number[]> {
    return this.receipts.insert(receipts)
  }

  claimReceipts(limit: number, now: Instant, subjects?: readonly string[]): Promise<ReceiptRecord[]> {
    return this.receipts.claim(limit, now, subjects)
  }

  markReceiptsProcessed(ids: readonly number[], at: Instant): Promise<void> {
    return this.receipts.markProcessed(ids, at)
  }

  recordReceiptFailure(id: number, failure: ReceiptFailure): Promise<void> {
    return this.receipts.recordFailure(id, failure)
  }

  retryDeadReceipt(id: number): Promise<boolean> {
    return this.receipts.retryDead(id)
  }

  discardDeadReceipt(id: number, at: Instant, reason: string): Promise<boolean> {
    return this.receipts.discardDead(id, at, reason)
  }

  listDeadReceipts(afterId: number, limit: number): Promise<DeadReceiptRecord[]> {
    return this.receipts.listDead(afterId, limit)
  }

  countPendingReceipts(): Promise<number> {
    return this.receipts.countPending()
  }

  countDeadReceipts(): Promise<number> {
    return this.receipts.countDead()
  }

  hasFailingReceipts(): Promise<boolean> {
    return this.receipts.hasFailing()
  }

  lastReceiptId(): Promise<number> {
    return this.receipts.lastId()
  }

  oldestPendingReceiptId(now: Instant): Promise<number | null> {
    return this.receipts.oldestPendingId(now)
  }

  unappliedReceipts(subjects: readonly string[], throughId: number): Promise<UnappliedReceipt[]> {
    return this.receipts.unapplied(subjects, throughId)
  }

  // Outbox: kysely-deliveries.ts

  enqueueDeliveries(records: readonly DeliveryRecord[]): Promise<void> {
    return deliveries.enqueueDeliveries(this.db, records)
  }

  claimDueDeliveries(now: number, limit: number, leaseUntil: number): Promise<DeliveryRecord[]> {
    return deliveries.claimDueDeliveries(this.db, this.dialect === 'postgres', now, limit, leaseUntil)
  }

  completeDelivery(id: string, at: number): Promise<void> {
    return deliveries.completeDelivery(this.db, id, at)
  }

  retryDelivery(
    id: string,
    attempts: number,
    nextAttemptAt: number | null,
    error: string,
    at: number,
  ): Promise<void> {
    return deliveries.retryDelivery(this.db, id, attempts, nextAttemptAt, error, at)
  }

  countDeliveries(status: DeliveryStatus, tenantId?: string): Promise<number> {
    return deliveries.countDeliveries(this.db, status, tenantId)
  }

  listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]> {
    return deliveries.listDeliveries(this.db, tenantId, limit)
  }

  getDelivery(tenantId: string, id: string): Promise<DeliveryRecord | undefined> {
    return deliveries.getDelivery(this.db, tenantId, id)
  }

  listDeadDeliveries(
    tenantId: string,
    query: { readonly limit: number; readonly after?: DeliveryCursor },
  ): Promise<DeliveryRecord[]> {
    return deliveries.listDeadDeliveries(this.db, tenantId, query)
  }

  redriveDeadDelivery(tenantId: string, id: string, now: number): Promise<boolean> {
    return deliveries.redriveDeadDelivery(this.db, tenantId, id, now)
  }

  redriveDeadDeliveries(tenantId: string, now: number, limit: number): Promise<number> {
    return deliveries.redriveDeadDeliveries(this.db, tenantId, now, limit)
  }

  // Idempotency keys

  async claimIdempotencyKey(
    record: Omit<IdempotencyRecord, 'responseStatus' | 'responseBody' | 'messageId'>,
  ): Promise<{ created: boolean; record: IdempotencyRecord }> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: record.tenantId,
        key: record.key,
        request_hash: record.requestHash,
        response_status: null,
        response_body: null,
        message_id: null,
        created_at: record.createdAt,
      })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'key']).doNothing())
      .executeTakeFirst()
    const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0
    const row = await this.db
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
        responseStatus: row.response_status,
        responseBody: row.response_body,
        messageId: row.message_id,
        createdAt: row.created_at,
      },
    }
  }

  async bindIdempotencyKey(tenantId: string, key: string, messageId: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ message_id: messageId })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute()
  }

  async completeIdempotencyKeyOfMessage(messageId: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ response_status: status, response_body: body })
      .where('message_id', '=', messageId)
      .where('response_status', 'is', null)
      .execute()
  }

  async listStaleSends(createdBefore: Instant, limit: number): Promise<StaleSend[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'tenant_id', 'created_at'])
      .where('status', '=', 'pending')
      .where('direction', '=', 'outbound')
      .where('created_at', '<', createdBefore)
      .orderBy('created_at')
      .limit(limit)
      .execute()
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id, createdAt: row.created_at }))
  }

  async completeIdempotencyKey(
    tenantId: string,
    key: string,
    status: number,
    body: string,
    messageId?: string,
  ): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({
        response_status: status,
        response_body: body,
        ...(messageId === undefined ? {} : { message_id: messageId }),
      })
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .execute()
  }

  async releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('tenant_id', '=', tenantId)
      .where('key', '=', key)
      .where('response_status', 'is', null)
      .execute()
  }

  // Automations: jobs, cases, held replies (kysely-automations.ts)

  async scheduleJob(job: ScheduledJob, now: number): Promise<JobStatus | null> {
    const [previous] = await this.scheduleJobs([job], now)
    return previous ?? null
  }

  async scheduleJobs(jobs: readonly ScheduledJob[], now: number): Promise<(JobStatus | null)[]> {
    if (jobs.length === 0) return []
    const ids = jobs.map((job) => job.id)
    const values = jobParameters(jobs, now)
    const statements = scheduleJobsStatements(jobs.length)
    let before: readonly PreviousStatus[]
    if (this.dialect === 'postgres') {
      before = (await this.run<PreviousStatus>(statements.upsertReturningPrevious, [...ids, ...values])).rows
    } else {
      before = (await this.run<PreviousStatus>(statements.statuses, ids)).rows
      await this.run(statements.upsert, values)
    }
    return inOrderOf(ids, before)
  }

  async saveWindowAndScheduleJobs(
    window: WindowRecord,
    jobs: readonly ScheduledJob[],
    now: number,
  ): Promise<(JobStatus | null)[]> {
    if (this.dialect !== 'postgres' || jobs.length === 0) {
      await this.saveWindow(window)
      return this.scheduleJobs(jobs, now)
    }
    const ids = jobs.map((job) => job.id)
    const { rows } = await this.run<PreviousStatus>(
      scheduleJobsStatements(jobs.length).savingWindowUpsertReturningPrevious,
      [...windowParameters(window), ...ids, ...jobParameters(jobs, now)],
    )
    return inOrderOf(ids, rows)
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return automations.getJob(this.db, id)
  }

  claimDueJobs(now: number, limit: number, leaseUntil: number): Promise<JobRecord[]> {
    return automations.claimDueJobs(this.db, this.dialect === 'postgres', now, limit, leaseUntil)
  }

  completeJobs(jobs: readonly { readonly id: string; readonly dueAt: number }[], at: number): Promise<void> {
    return automations.completeJobs(this.db, jobs, at)
  }

  rescheduleJob(id: string, fromDueAt: number, dueAt: number): Promise<void> {
    return automations.rescheduleJob(this.db, id, fromDueAt, dueAt)
  }

  failJob(id: string, error: string): Promise<void> {
    return automations.failJob(this.db, id, error)
  }

  cancelJob(id: string, at: number): Promise<void> {
    return automations.cancelJob(this.db, id, at)
  }

  countJobs(status: JobStatus): Promise<number> {
    return automations.countJobs(this.db, status)
  }

  insertCase(record: CaseRecord): Promise<void> {
    return automations.insertCase(this.db, record)
  }

  getCase(id: string): Promise<CaseRecord | undefined> {
    return automations.getCase(this.db, id)
  }

  findCaseByExternalId(channelId: string, externalId: string): Promise<CaseRecord | undefined> {
    return automations.findCaseByExternalId(this.db, channelId, externalId)
  }

  listCases(channelId: string, filter: Parameters<Store['listCases']>[1]): Promise<CaseRecord[]> {
    return automations.listCases(this.db, channelId, filter)
  }

  updateCase(id: string, patch: CasePatch): Promise<CaseRecord | undefined> {
    return automations.updateCase(this.db, id, patch)
  }

  claimReengagement(caseId: string, at: number, notAfter: number): Promise<boolean> {
    return automations.claimReengagement(this.db, caseId, at, notAfter)
  }

  insertHold(record: HeldMessageRecord): Promise<void> {
    return automations.insertHold(this.db, record)
  }

  getHold(id: string): Promise<HeldMessageRecord | undefined> {
    return automations.getHold(this.db, id)
  }

  listHolds(channelId: string, contactId: string, status?: HoldStatus): Promise<HeldMessageRecord[]> {
    return automations.listHolds(this.db, channelId, contactId, status)
  }

  updateHold(id: string, patch: HoldPatch, from?: HoldStatus): Promise<boolean> {
    return automations.updateHold(this.db, id, patch, from)
  }
}

function tenantOf(row: Selectable<TenantsTable>): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    webhookUrl: row.webhook_url,
    webhookSecret: row.webhook_secret,
    createdAt: row.created_at,
  }
}

function apiKeyOf(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    keyHash: row.key_hash,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }
}

function channelOf(row: Selectable<ChannelsTable>): ChannelRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    platform: row.platform as Platform,
    externalId: row.external_id,
    upstream: JSON.parse(row.upstream_json) as UpstreamConfig,
    appSecret: row.app_secret,
    verifyToken: row.verify_token,
    settings: JSON.parse(row.settings_json) as Record<string, unknown>,
    automations: automationsOf(row.automations_json),
    wabaId: row.waba_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

// Validated when configured; a row from an older version (or edited by hand) falls back to the defaults.
function automationsOf(json: string): Automations {
  const parsed = automationsSchema.safeParse(JSON.parse(json))
  return parsed.success ? parsed.data : DEFAULT_AUTOMATIONS
}

function windowOf(row: Selectable<WindowsTable>): WindowRecord {
  return {
    channelId: row.channel_id,
    contactId: row.contact_id,
    state: JSON.parse(row.state_json) as ContactState,
    lastUserMessageAt: row.last_user_message_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
  }
}

function windowParameters(window: WindowRecord): SqlValue[] {
  return [
    window.channelId,
    window.contactId,
    JSON.stringify(window.state),
    window.lastUserMessageAt,
    window.expiresAt,
    window.updatedAt,
  ]
}

/** The values of `UPSERT_JOB_ROW` for each job. */
function jobParameters(jobs: readonly ScheduledJob[], now: number): SqlValue[] {
  return jobs.flatMap((job) => [
    job.id,
    job.kind,
    job.channelId,
    job.contactId,
    job.dueAt,
    JSON.stringify(job.payload),
    now,
    now,
  ])
}

/** A job's status before it was scheduled (none for a new one). */
interface PreviousStatus {
  readonly id: string
  readonly status: string | null
}

/** The previous statuses of the jobs `ids`, in that order (`null` for new jobs). */
function inOrderOf(ids: readonly string[], rows: readonly PreviousStatus[]): (JobStatus | null)[] {
  const statuses = new Map(rows.map((row) => [row.id, row.status as JobStatus | null]))
  return ids.map((id) => statuses.get(id) ?? null)
}

/** The state a window row holds; none for a row created only to be locked (`'null'`) or no row. */
function stateOf(row: { readonly state_json: string } | undefined): ContactState | undefined {
  const state = row === undefined ? null : (JSON.parse(row.state_json) as ContactState | null)
  return state ?? undefined
}

function contactOf(row: Selectable<ContactsTable>): ContactRecord {
  return {
    channelId: row.channel_id,
    contactId: row.contact_id,
    country: row.country,
    profileName: row.profile_name,
    createdAt: row.created_at,
  }
}

function consentOf(row: Selectable<ConsentEventsTable>): StoredConsentEvent {
  return {
    id: row.id,
    kind: row.kind as ConsentEvent['kind'],
    scope: row.scope as ConsentEvent['scope'],
    source: row.source,
    ...(row.evidence === null ? {} : { evidence: row.evidence }),
    ...(row.actor === null ? {} : { actor: row.actor }),
    at: row.at,
    recordedAt: row.recorded_at,
  }
}

function messageOf(row: Selectable<MessagesTable>): MessageRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    direction: row.direction as MessageDirection,
    externalId: row.external_id,
    at: row.at,
    bodyJson: row.body_json,
    allowed: row.allowed === null ? null : row.allowed === 1,
    reason: row.reason,
    decisionJson: row.decision_json,
    priceMicros: row.price_micros,
    currency: row.currency,
    status: row.status as MessageStatus,
    statusAt: row.status_at,
    metaPricingJson: row.meta_pricing_json,
    errorJson: row.error_json,
    createdAt: row.created_at,
  }
}

/** Ids per `in (…)` list: SQLite limits the bound parameters of one statement. */
const IDS_PER_QUERY = 500

/** Runs `read` over the distinct ids in slices and joins what each slice found (each id at most once). */
async function inSlices<T>(ids: readonly string[], read: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const distinct = [...new Set(ids)]
  const found: T[] = []
  for (let start = 0; start < distinct.length; start += IDS_PER_QUERY)
    found.push(...(await read(distinct.slice(start, start + IDS_PER_QUERY))))
  return found
}
