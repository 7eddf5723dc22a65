import { AsyncLocalStorage } from 'node:async_hooks'
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely'
import type { ConsentEvent, ContactState, Platform, Template } from '../domain/index.js'
import type { SqlDialect } from './migrations/migrations.js'
import type {
  ApiKeysTable,
  ChannelsTable,
  ConsentEventsTable,
  Database,
  MessagesTable,
  TenantsTable,
  WebhookDeliveriesTable,
  WindowsTable,
} from './schema.js'
import type {
  ApiKeyRecord,
  ChannelRecord,
  ContactRecord,
  DeliveryRecord,
  DeliveryStatus,
  IdempotencyRecord,
  MessageDirection,
  MessagePatch,
  MessageRecord,
  MessageStatus,
  ReceiptRecord,
  Store,
  StoredConsentEvent,
  TenantRecord,
  UpstreamConfig,
  WindowQuery,
  WindowRecord,
} from './store.js'

/**
 * The Store over Kysely, shared by both adapters: the SQL is the same on SQLite and PostgreSQL except for
 * row locks, which only PostgreSQL needs (SQLite has a single writer).
 */
/** The root store whose transaction the current async call chain is inside, if any. */
const openTransaction = new AsyncLocalStorage<KyselyStore>()

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
    if (!this.inTransaction && this.dialect === 'sqlite' && openTransaction.getStore() === this)
      throw new Error(
        'a store query inside a transaction must use the transaction’s store (the `tx` argument)',
      )
    return this.database
  }

  private get locks(): boolean {
    return this.dialect === 'postgres' && this.inTransaction
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this)
    return this.db
      .transaction()
      .execute((trx: Transaction<Database>) =>
        openTransaction.run(this, () => work(new KyselyStore(trx, this.dialect, this.onClose, true))),
      )
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('tenants').select('id').limit(1).execute()
  }

  close(): Promise<void> {
    return this.onClose()
  }

  // Tenants and keys

  async upsertTenant(tenant: TenantRecord): Promise<void> {
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
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst()
    return row && tenantOf(row)
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
    await this.db
      .insertInto('contacts')
      .values({
        channel_id: contact.channelId,
        contact_id: contact.contactId,
        country: contact.country,
        profile_name: contact.profileName,
        created_at: contact.createdAt,
      })
      .onConflict((conflict) => conflict.columns(['channel_id', 'contact_id']).doNothing())
      .execute()
    if (contact.profileName !== null) {
      await this.db
        .updateTable('contacts')
        .set({ profile_name: contact.profileName })
        .where('channel_id', '=', contact.channelId)
        .where('contact_id', '=', contact.contactId)
        .execute()
    }
    return (await this.getContact(contact.channelId, contact.contactId)) as ContactRecord
  }

  async getContact(channelId: string, contactId: string): Promise<ContactRecord | undefined> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('contact_id', '=', contactId)
      .executeTakeFirst()
    return (
      row && {
        channelId: row.channel_id,
        contactId: row.contact_id,
        country: row.country,
        profileName: row.profile_name,
        createdAt: row.created_at,
      }
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

  async lockWindow(channelId: string, contactId: string): Promise<ContactState | undefined> {
    if (this.locks) {
      // A row to lock must exist: two first writers for a new contact would otherwise both read "no state".
      await this.db
        .insertInto('windows')
        .values({
          channel_id: channelId,
          contact_id: contactId,
          state_json: 'null',
          last_user_message_at: null,
          expires_at: null,
          updated_at: 0,
        })
        .onConflict((conflict) => conflict.columns(['channel_id', 'contact_id']).doNothing())
        .execute()
    }
    let query = this.db
      .selectFrom('windows')
      .select('state_json')
      .where('channel_id', '=', channelId)
      .where('contact_id', '=', contactId)
    if (this.locks) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    const state = row === undefined ? null : (JSON.parse(row.state_json) as ContactState | null)
    return state ?? undefined
  }

  async saveWindow(window: WindowRecord): Promise<void> {
    const values = {
      state_json: JSON.stringify(window.state),
      last_user_message_at: window.lastUserMessageAt,
      expires_at: window.expiresAt,
      updated_at: window.updatedAt,
    }
    await this.db
      .insertInto('windows')
      .values({ ...values, channel_id: window.channelId, contact_id: window.contactId })
      .onConflict((conflict) => conflict.columns(['channel_id', 'contact_id']).doUpdateSet(values))
      .execute()
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
    const rows = await this.db
      .selectFrom('consent_events')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('contact_id', '=', contactId)
      .orderBy('at')
      .orderBy('id')
      .execute()
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
    const result = await this.db
      .insertInto('messages')
      .values({
        id: message.id,
        tenant_id: message.tenantId,
        channel_id: message.channelId,
        contact_id: message.contactId,
        direction: message.direction,
        external_id: message.externalId,
        at: message.at,
        body_json: message.bodyJson,
        allowed: message.allowed === null ? null : message.allowed ? 1 : 0,
        reason: message.reason,
        decision_json: message.decisionJson,
        price_micros: message.priceMicros,
        currency: message.currency,
        status: message.status,
        status_at: message.statusAt,
        meta_pricing_json: message.metaPricingJson,
        error_json: message.errorJson,
        created_at: message.createdAt,
      })
      .onConflict((conflict) => conflict.columns(['channel_id', 'direction', 'external_id']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }

  async updateMessage(id: string, patch: MessagePatch): Promise<void> {
    const set: Updateable<MessagesTable> = {}
    if (patch.externalId !== undefined) set.external_id = patch.externalId
    if (patch.status !== undefined) set.status = patch.status
    if (patch.statusAt !== undefined) set.status_at = patch.statusAt
    if (patch.metaPricingJson !== undefined) set.meta_pricing_json = patch.metaPricingJson
    if (patch.errorJson !== undefined) set.error_json = patch.errorJson
    if (Object.keys(set).length === 0) return
    await this.db.updateTable('messages').set(set).where('id', '=', id).execute()
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
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('direction', '=', direction)
      .where('external_id', '=', externalId)
      .executeTakeFirst()
    return row && messageOf(row)
  }

  // Webhook receipts (the inbox)

  async insertReceipts(receipts: readonly Omit<ReceiptRecord, 'id'>[]): Promise<number[]> {
    if (receipts.length === 0) return []
    const rows = await this.db
      .insertInto('webhook_receipts')
      .values(
        receipts.map((receipt) => ({
          platform: receipt.platform,
          body: receipt.body,
          signature: receipt.signature,
          received_at: receipt.receivedAt,
          processed_at: null,
          error: null,
        })),
      )
      .returning('id')
      .execute()
    return rows.map((row) => row.id)
  }

  async claimReceipts(limit: number): Promise<ReceiptRecord[]> {
    let query = this.db
      .selectFrom('webhook_receipts')
      .select(['id', 'platform', 'body', 'signature', 'received_at'])
      .where('processed_at', 'is', null)
      .orderBy('id')
      .limit(limit)
    if (this.locks) query = query.forUpdate().skipLocked()
    const rows = await query.execute()
    return rows.map((row) => ({
      id: row.id,
      platform: row.platform as Platform,
      body: row.body,
      signature: row.signature,
      receivedAt: row.received_at,
    }))
  }

  async markReceiptProcessed(id: number, at: number, error: string | null): Promise<void> {
    await this.db
      .updateTable('webhook_receipts')
      .set({ processed_at: at, error })
      .where('id', '=', id)
      .execute()
  }

  async countPendingReceipts(): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_receipts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('processed_at', 'is', null)
      .executeTakeFirstOrThrow()
    return row.count
  }

  // Outbox

  async enqueueDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return
    await this.db
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((delivery) => ({
          id: delivery.id,
          tenant_id: delivery.tenantId,
          event_type: delivery.eventType,
          payload: delivery.payload,
          status: delivery.status,
          attempts: delivery.attempts,
          next_attempt_at: delivery.nextAttemptAt,
          locked_until: null,
          last_error: delivery.lastError,
          created_at: delivery.createdAt,
          delivered_at: delivery.deliveredAt,
        })),
      )
      .execute()
  }

  async claimDueDeliveries(now: number, limit: number, leaseUntil: number): Promise<DeliveryRecord[]> {
    let due = this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
    if (this.dialect === 'postgres') due = due.forUpdate().skipLocked()
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ locked_until: leaseUntil })
      .where('id', 'in', due)
      .returningAll()
      .execute()
    return rows.map(deliveryOf).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
  }

  async completeDelivery(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'delivered',
        delivered_at: at,
        locked_until: null,
        attempts: eb('attempts', '+', 1),
      }))
      .where('id', '=', id)
      .execute()
  }

  async retryDelivery(
    id: string,
    attempts: number,
    nextAttemptAt: number | null,
    error: string,
  ): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        attempts,
        last_error: error,
        locked_until: null,
        ...(nextAttemptAt === null ? { status: 'dead' } : { next_attempt_at: nextAttemptAt }),
      })
      .where('id', '=', id)
      .execute()
  }

  async countDeliveries(status: DeliveryStatus): Promise<number> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '=', status)
      .executeTakeFirstOrThrow()
    return row.count
  }

  async listDeliveries(tenantId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map(deliveryOf)
  }

  // Idempotency keys

  async claimIdempotencyKey(
    record: Omit<IdempotencyRecord, 'responseStatus' | 'responseBody'>,
  ): Promise<{ created: boolean; record: IdempotencyRecord }> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        tenant_id: record.tenantId,
        key: record.key,
        request_hash: record.requestHash,
        response_status: null,
        response_body: null,
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
        createdAt: row.created_at,
      },
    }
  }

  async completeIdempotencyKey(tenantId: string, key: string, status: number, body: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ response_status: status, response_body: body })
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
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

function deliveryOf(row: Selectable<WebhookDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  }
}
