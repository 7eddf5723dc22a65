import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  NEW_CONTACT,
  type ConsentEvent,
  type Instant,
} from '../../src/domain/index.js'
import type { ChannelRecord, Store, WindowQuery, WindowRecord } from '../../src/store/store.js'
import {
  apiKey,
  channel,
  CONTACT_ID,
  contactRecord,
  delivery,
  message,
  notification,
  T0,
  template,
  tenant,
  TENANT_ID,
  windowRecord,
} from './records.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

/**
 * The Store contract: every adapter passes exactly these tests. A behaviour that differs between SQLite
 * and PostgreSQL is a bug in an adapter, not a reason for a dialect-specific expectation.
 */
for (const dialect of DIALECTS) {
  describe(`the ${dialect.name} store`, () => {
    let database: TestDatabase | undefined
    let store: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
    })
    afterAll(async () => {
      await database?.destroy()
    })
    beforeEach(async () => {
      await database?.empty()
    })

    /** The tenant and a WhatsApp channel most tests write under (rows reference both). */
    async function seedChannel(overrides: Partial<ChannelRecord> = {}): Promise<ChannelRecord> {
      await store.upsertTenant(tenant({ id: overrides.tenantId ?? TENANT_ID }))
      return store.upsertChannel(channel(overrides))
    }

    describe('tenants', () => {
      it('returns a stored tenant by id, and nothing for an unknown id', async () => {
        await store.upsertTenant(tenant())

        expect(await store.getTenant(TENANT_ID)).toEqual(tenant())
        expect(await store.getTenant('tenant-unknown')).toBeUndefined()
      })

      it('updates name and webhook of an existing tenant but keeps when it was created', async () => {
        await store.upsertTenant(tenant())
        await store.upsertTenant(
          tenant({ name: 'Acme Health', webhookUrl: null, webhookSecret: null, createdAt: T0 + DAY_MS }),
        )

        expect(await store.getTenant(TENANT_ID)).toEqual(
          tenant({ name: 'Acme Health', webhookUrl: null, webhookSecret: null, createdAt: T0 }),
        )
        expect(await store.listTenants()).toHaveLength(1)
      })

      it('inside a transaction, reads a tenant again as it was, and as written after the transaction changed it', async () => {
        await store.upsertTenant(tenant())

        await store.transaction(async (tx) => {
          expect(await tx.getTenant(TENANT_ID)).toEqual(tenant())
          expect(await tx.getTenant(TENANT_ID)).toEqual(tenant())
          expect(await tx.getTenant('tenant-unknown')).toBeUndefined()
          await tx.upsertTenant(tenant({ name: 'Acme Health' }))
          expect(await tx.getTenant(TENANT_ID)).toEqual(tenant({ name: 'Acme Health' }))
          await tx.upsertTenant(tenant({ id: 'tenant-unknown' }))
          expect(await tx.getTenant('tenant-unknown')).toEqual(tenant({ id: 'tenant-unknown' }))
        })
        expect(await store.getTenant(TENANT_ID)).toEqual(tenant({ name: 'Acme Health' }))
      })

      it('commits transactions asked for together, except one that fails, which rolls back alone', async () => {
        await store.upsertTenant(tenant())
        const outcomes = await Promise.allSettled([
          store.transaction(async (tx) => {
            await tx.upsertTenant(tenant({ id: 'tenant-a' }))
            return 'a'
          }),
          store.transaction(async (tx) => {
            await tx.upsertTenant(tenant({ id: 'tenant-b' }))
            // Read inside the failing transaction: no other transaction may see it afterwards.
            await tx.upsertTenant(tenant({ name: 'Never committed' }))
            expect(await tx.getTenant(TENANT_ID)).toEqual(tenant({ name: 'Never committed' }))
            throw new Error('b fails')
          }),
          store.transaction(async (tx) => {
            await tx.upsertTenant(tenant({ id: 'tenant-c' }))
            return (await tx.getTenant(TENANT_ID))?.name
          }),
        ])

        expect(outcomes).toEqual([
          { status: 'fulfilled', value: 'a' },
          { status: 'rejected', reason: new Error('b fails') },
          { status: 'fulfilled', value: tenant().name },
        ])
        expect((await store.listTenants()).map((row) => row.id)).toEqual([TENANT_ID, 'tenant-a', 'tenant-c'])
        expect(await store.getTenant(TENANT_ID)).toEqual(tenant())
      })

      it('lists tenants by id', async () => {
        for (const id of ['tenant-b', 'tenant-c', 'tenant-a']) await store.upsertTenant(tenant({ id }))

        expect((await store.listTenants()).map((row) => row.id)).toEqual(['tenant-a', 'tenant-b', 'tenant-c'])
      })
    })

    describe('API keys', () => {
      beforeEach(async () => {
        await store.upsertTenant(tenant())
      })

      it('finds a live key by its hash, and nothing for an unknown hash', async () => {
        await store.insertApiKey(apiKey('k1'))

        expect(await store.findApiKey('hash-of-k1')).toEqual(apiKey('k1'))
        expect(await store.findApiKey('hash-of-k2')).toBeUndefined()
      })

      it('no longer finds a revoked key, and reports that revoking it again changes nothing', async () => {
        await store.insertApiKey(apiKey('k1'))

        expect(await store.revokeApiKey('k1', T0 + HOUR_MS)).toBe(true)
        expect(await store.findApiKey('hash-of-k1')).toBeUndefined()
        expect(await store.revokeApiKey('k1', T0 + 2 * HOUR_MS)).toBe(false)
        expect(await store.revokeApiKey('k-unknown', T0)).toBe(false)
        expect(await store.listApiKeys(TENANT_ID)).toEqual([apiKey('k1', { revokedAt: T0 + HOUR_MS })])
      })

      it("lists only the tenant's keys, revoked ones included, oldest first", async () => {
        await store.upsertTenant(tenant({ id: 'tenant-2' }))
        await store.insertApiKey(apiKey('k2', { createdAt: T0 + 2 }))
        await store.insertApiKey(apiKey('k1', { createdAt: T0 + 1, revokedAt: T0 + 3 }))
        await store.insertApiKey(apiKey('k3', { tenantId: 'tenant-2' }))

        expect(await store.listApiKeys(TENANT_ID)).toEqual([
          apiKey('k1', { createdAt: T0 + 1, revokedAt: T0 + 3 }),
          apiKey('k2', { createdAt: T0 + 2 }),
        ])
        expect(await store.listApiKeys('tenant-unknown')).toEqual([])
      })

      it('keeps each key’s role, and changes the role of a live key only', async () => {
        await store.insertApiKey(apiKey('k1', { createdAt: T0 + 1 }))
        await store.insertApiKey(apiKey('k2', { createdAt: T0 + 2, role: 'read' }))
        await store.insertApiKey(apiKey('k3', { createdAt: T0 + 3, revokedAt: T0 }))

        expect((await store.findApiKey('hash-of-k2'))?.role).toBe('read')
        expect(await store.setApiKeyRole('k1', 'read')).toBe(true)
        expect(await store.setApiKeyRole('k2', 'admin')).toBe(true)
        expect(await store.setApiKeyRole('k3', 'read')).toBe(false)
        expect(await store.setApiKeyRole('k-unknown', 'read')).toBe(false)
        expect((await store.listApiKeys(TENANT_ID)).map((key) => [key.id, key.role])).toEqual([
          ['k1', 'read'],
          ['k2', 'admin'],
          ['k3', 'admin'],
        ])
      })
    })

    describe('channels', () => {
      it('creates a channel and finds it by platform and external id', async () => {
        const created = await seedChannel()

        expect(created).toEqual(channel())
        expect(await store.findChannel('whatsapp', channel().externalId)).toEqual(channel())
        expect(await store.findChannel('messenger', channel().externalId)).toBeUndefined()
        expect(await store.findChannel('whatsapp', 'unknown')).toBeUndefined()
      })

      it('replaces upstream, secrets and settings on a second upsert but keeps its id and creation instant', async () => {
        await seedChannel()
        const replacement = channel({
          id: 'channel-other',
          upstream: { mode: 'cloud', baseUrl: 'https://graph.facebook.com/v23.0', accessToken: 'EAAG-token' },
          appSecret: 'app-secret-2',
          verifyToken: 'verify-2',
          settings: { timezone: 'UTC', reminders: { enabled: true } },
          createdAt: T0 + DAY_MS,
          updatedAt: T0 + DAY_MS,
        })

        const stored = await store.upsertChannel(replacement)

        expect(stored).toEqual({ ...replacement, id: 'channel-1', createdAt: T0 })
        expect(await store.findChannel('whatsapp', channel().externalId)).toEqual(stored)
        expect(await store.listChannels()).toHaveLength(1)
      })

      it('lists channels oldest first, filtered by tenant and platform', async () => {
        await store.upsertTenant(tenant({ id: 'tenant-2' }))
        const whatsapp = await seedChannel({ id: 'c-wa', externalId: 'wa-1', createdAt: T0 + 2 })
        const messenger = await seedChannel({
          id: 'c-ms',
          platform: 'messenger',
          externalId: 'page-1',
          createdAt: T0 + 1,
        })
        const other = await seedChannel({ id: 'c-other', tenantId: 'tenant-2', externalId: 'wa-2' })

        expect(await store.listChannels()).toEqual([other, messenger, whatsapp])
        expect(await store.listChannels({ tenantId: TENANT_ID })).toEqual([messenger, whatsapp])
        expect(await store.listChannels({ platform: 'whatsapp' })).toEqual([other, whatsapp])
        expect(await store.listChannels({ tenantId: TENANT_ID, platform: 'messenger' })).toEqual([messenger])
        expect(await store.listChannels({ tenantId: 'tenant-unknown' })).toEqual([])
      })
    })

    describe('contacts', () => {
      it('creates a contact once and returns the stored one on later calls', async () => {
        const { id } = await seedChannel()
        const first = {
          channelId: id,
          contactId: CONTACT_ID,
          country: 'NL',
          profileName: null,
          createdAt: T0,
        }

        expect(await store.ensureContact(first)).toEqual(first)
        expect(await store.ensureContact({ ...first, country: 'BE', createdAt: T0 + DAY_MS })).toEqual(first)
        expect(await store.getContact(id, CONTACT_ID)).toEqual(first)
        expect(await store.getContact(id, '31600000000')).toBeUndefined()
      })

      it('reads a page of contacts in one call, leaving out the unknown ones and other channels’ contacts', async () => {
        const { id } = await seedChannel()
        const { id: otherId } = await seedChannel({ id: 'ch_other', externalId: '106540352240002' })
        const contact = (channelId: string, contactId: string) =>
          contactRecord(channelId, contactId, contactId)
        await store.ensureContact(contact(id, '31600000001'))
        await store.ensureContact(contact(id, '31600000002'))
        await store.ensureContact(contact(otherId, '31600000003'))

        const found = await store.getContacts(id, [
          '31600000002',
          '31600000001',
          '31600000003',
          '31699999999',
        ])

        expect(found.map((row) => row.contactId).sort()).toEqual(['31600000001', '31600000002'])
        expect(found).toContainEqual(contact(id, '31600000001'))
        expect(await store.getContacts(id, [])).toEqual([])
      })

      it('updates the profile name when one is given, and keeps it when none is', async () => {
        const { id } = await seedChannel()
        const contact = {
          channelId: id,
          contactId: CONTACT_ID,
          country: 'NL',
          profileName: null,
          createdAt: T0,
        }
        await store.ensureContact(contact)

        expect(await store.ensureContact({ ...contact, profileName: 'Ana' })).toEqual({
          ...contact,
          profileName: 'Ana',
        })
        expect(await store.ensureContact(contact)).toEqual({ ...contact, profileName: 'Ana' })
      })
    })

    describe('windows', () => {
      const opened = { ...NEW_CONTACT, lastUserMessageAt: T0, openedAt: T0, windowsOpened: 1, asOf: T0 }

      it('saves a window and reads it back; saving again replaces it', async () => {
        const { id } = await seedChannel()
        const first = windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened)
        await store.saveWindow(first)
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(first)

        const second = { ...windowRecord(id, CONTACT_ID, T0 + 2 * DAY_MS, { ...opened, windowsOpened: 2 }) }
        await store.saveWindow({ ...second, updatedAt: T0 + DAY_MS })

        expect(await store.getWindow(id, CONTACT_ID)).toEqual({ ...second, updatedAt: T0 + DAY_MS })
        expect(await store.getWindow(id, '31600000000')).toBeUndefined()
      })

      it('locks no state for a new contact and the saved state afterwards, in and out of a transaction', async () => {
        const { id } = await seedChannel()

        expect(await store.lockWindow(id, CONTACT_ID)).toBeUndefined()
        expect(await store.transaction((tx) => tx.lockWindow(id, CONTACT_ID))).toBeUndefined()

        await store.saveWindow(windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened))

        expect(await store.lockWindow(id, CONTACT_ID)).toEqual(opened)
        expect(await store.transaction((tx) => tx.lockWindow(id, CONTACT_ID))).toEqual(opened)
      })

      it('stores the contact and locks its window in one call: no state for a new contact, the saved state after, the name updated', async () => {
        const { id } = await seedChannel()
        const contact = contactRecord(id)

        expect(await store.transaction((tx) => tx.lockContactWindow(contact))).toEqual({
          state: undefined,
          announced: null,
        })
        expect(await store.getContact(id, CONTACT_ID)).toEqual(contact)
        expect(await store.getWindow(id, CONTACT_ID)).toBeUndefined()

        await store.saveWindow(windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened))
        const renamed = { ...contact, profileName: 'Ana B.', createdAt: T0 + HOUR_MS }
        expect((await store.transaction((tx) => tx.lockContactWindow(renamed))).state).toEqual(opened)
        expect(await store.getContact(id, CONTACT_ID)).toEqual({ ...contact, profileName: 'Ana B.' })

        // Without a profile name, and outside a transaction: the stored name stays.
        expect((await store.lockContactWindow({ ...contact, profileName: null })).state).toEqual(opened)
        expect(await store.getContact(id, CONTACT_ID)).toEqual({ ...contact, profileName: 'Ana B.' })
      })

      it('stores a customer message with its contact and locks the window in one call; a message stored before writes nothing', async () => {
        const { id } = await seedChannel()
        const contact = contactRecord(id)
        const inbound = (n: number) =>
          message(`msg_in_${n}`, id, {
            direction: 'inbound',
            externalId: `wamid.in.${n}`,
            status: 'received',
            allowed: null,
            at: T0 + n * HOUR_MS,
          })

        expect(await store.transaction((tx) => tx.insertInboundMessage(inbound(1), contact))).toEqual({
          state: undefined,
          announced: null,
        })
        expect(await store.getContact(id, CONTACT_ID)).toEqual(contact)
        expect(await store.findMessageByExternalId(id, 'inbound', 'wamid.in.1')).toMatchObject({
          id: 'msg_in_1',
        })

        // Meta's retry of the same message, under another name: nothing is written, nothing is locked.
        const renamed = { ...contact, profileName: 'Ana B.', createdAt: T0 + HOUR_MS }
        const retried = { ...inbound(1), id: 'msg_in_1_retry' }
        expect(await store.transaction((tx) => tx.insertInboundMessage(retried, renamed))).toBeNull()
        expect(await store.getContact(id, CONTACT_ID)).toEqual(contact)
        expect(await store.getMessage('msg_in_1_retry')).toBeUndefined()

        // A new message after the window was saved: its state, and the name updated.
        await store.saveWindow(windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened))
        expect(
          (await store.transaction((tx) => tx.insertInboundMessage(inbound(2), renamed)))?.state,
        ).toEqual(opened)
        expect(await store.getContact(id, CONTACT_ID)).toEqual({ ...contact, profileName: 'Ana B.' })

        // Without a profile name (Messenger), and outside a transaction: the stored name stays.
        const unnamed = { ...contact, profileName: null }
        expect((await store.insertInboundMessage(inbound(3), unnamed))?.state).toEqual(opened)
        expect(await store.insertInboundMessage(inbound(3), unnamed)).toBeNull()
        expect(await store.getContact(id, CONTACT_ID)).toEqual({ ...contact, profileName: 'Ana B.' })

        // A new contact's first message without a profile name: the contact is stored.
        const other = contactRecord(id, '31611111111', null)
        expect(
          await store.transaction((tx) =>
            tx.insertInboundMessage({ ...inbound(4), contactId: '31611111111' }, other),
          ),
        ).toEqual({ state: undefined, announced: null })
        expect(await store.getContact(id, '31611111111')).toEqual(other)
      })

      it('stores a decided send with its window in one call, and a refused one alone, in a transaction or not', async () => {
        const { id } = await seedChannel()
        const contact = contactRecord(id)
        const saved = windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened)
        await store.transaction(async (tx) => {
          await tx.lockContactWindow(contact)
          await tx.insertOutboundMessage(message('msg_out_1', id), saved)
        })
        expect(await store.getMessage('msg_out_1')).toMatchObject({ id: 'msg_out_1', direction: 'outbound' })
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(saved)

        // Refused: the message is kept with its decision, and the window is left as it is.
        const refused = message('msg_out_2', id, { allowed: false, status: 'refused', at: T0 + HOUR_MS })
        await store.transaction((tx) => tx.insertOutboundMessage(refused, null))
        expect(await store.getMessage('msg_out_2')).toMatchObject({ allowed: false, status: 'refused' })
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(saved)

        // Outside a transaction, the same two writes.
        const later = { ...windowRecord(id, CONTACT_ID, T0 + 2 * DAY_MS, opened), updatedAt: T0 + DAY_MS }
        await store.insertOutboundMessage(message('msg_out_3', id, { at: T0 + DAY_MS }), later)
        expect(await store.getMessage('msg_out_3')).toMatchObject({ id: 'msg_out_3' })
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(later)

        // Nothing is kept of a send whose transaction fails after it.
        await expect(
          store.transaction(async (tx) => {
            await tx.insertOutboundMessage(message('msg_out_4', id), saved)
            throw new Error('undone')
          }),
        ).rejects.toThrow('undone')
        expect(await store.getMessage('msg_out_4')).toBeUndefined()
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(later)
      })

      it('saves a window and (re)schedules its jobs in one call, with what was announced of it or leaving that be', async () => {
        const { id } = await seedChannel()
        const contact = contactRecord(id)
        const jobsAt = (expiresAt: number) =>
          ['window.closed', 'window.expiring'].map((kind, n) => ({
            id: `${kind}:${id}:${CONTACT_ID}`,
            kind,
            channelId: id,
            contactId: CONTACT_ID,
            dueAt: expiresAt - n * HOUR_MS,
            payload: { expires_at: expiresAt },
          }))
        const first = windowRecord(id, CONTACT_ID, T0 + DAY_MS, opened)
        const announced = { state: 'open', expiresAt: T0 + DAY_MS } as const
        await store.transaction(async (tx) => {
          await tx.lockContactWindow(contact)
          await tx.saveWindowWithJobs(first, jobsAt(T0 + DAY_MS), T0, announced)
        })
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(first)
        expect(await store.lockContactWindow(contact)).toEqual({ state: opened, announced })
        expect(await store.getJob(`window.closed:${id}:${CONTACT_ID}`)).toMatchObject({
          status: 'pending',
          dueAt: T0 + DAY_MS,
        })

        // Moved without a new announcement: the window is saved, what was announced stays.
        const moved = { ...windowRecord(id, CONTACT_ID, T0 + 2 * DAY_MS, { ...opened, windowsOpened: 2 }) }
        await store.transaction(async (tx) => {
          await tx.lockContactWindow(contact)
          await tx.saveWindowWithJobs(moved, jobsAt(T0 + 2 * DAY_MS), T0 + HOUR_MS)
        })
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(moved)
        expect((await store.transaction((tx) => tx.lockContactWindow(contact))).announced).toEqual(announced)
        expect(await store.getJob(`window.expiring:${id}:${CONTACT_ID}`)).toMatchObject({
          status: 'pending',
          dueAt: T0 + 2 * DAY_MS - HOUR_MS,
          payload: { expires_at: T0 + 2 * DAY_MS },
        })

        // No jobs (a window without expiry): the window alone, outside a transaction too.
        const unopened = windowRecord(id, CONTACT_ID, null)
        await store.saveWindowWithJobs(unopened, [], T0 + 2 * HOUR_MS)
        expect(await store.getWindow(id, CONTACT_ID)).toEqual(unopened)
      })

      it('lets one path claim the announcement of a window’s close: only a window announced open, with an expiry at or before the close', async () => {
        const { id } = await seedChannel()
        const contact = contactRecord(id)
        const closesAt = T0 + DAY_MS

        // Never announced: nothing to claim.
        await store.saveWindow(windowRecord(id, CONTACT_ID, closesAt, opened))
        expect(await store.claimClosedAnnouncement(id, CONTACT_ID, closesAt)).toBe(false)

        // Announced open at an earlier expiry, extended since: the close claims it, once.
        await store.saveWindowWithJobs(windowRecord(id, CONTACT_ID, closesAt, opened), [], T0, {
          state: 'open',
          expiresAt: closesAt - HOUR_MS,
        })
        expect(await store.claimClosedAnnouncement(id, CONTACT_ID, closesAt)).toBe(true)
        expect(await store.claimClosedAnnouncement(id, CONTACT_ID, closesAt)).toBe(false)
        expect((await store.lockContactWindow(contact)).announced).toEqual({
          state: 'closed',
          expiresAt: closesAt,
        })

        // A new window announced open (the customer wrote again): the old close can no longer be claimed.
        await store.saveWindowWithJobs(windowRecord(id, CONTACT_ID, closesAt + DAY_MS, opened), [], T0, {
          state: 'open',
          expiresAt: closesAt + DAY_MS,
        })
        expect(await store.claimClosedAnnouncement(id, CONTACT_ID, closesAt)).toBe(false)
        expect(await store.claimClosedAnnouncement(id, CONTACT_ID, closesAt + DAY_MS)).toBe(true)
      })

      it('claims the closes of several windows in one call, each only if it is still announced open by then', async () => {
        const { id } = await seedChannel()
        const closesAt = T0 + DAY_MS
        const contacts = ['31600000011', '31600000012', '31600000013']
        for (const contact of contacts)
          await store.saveWindowWithJobs(windowRecord(id, contact, closesAt, opened), [], T0, {
            state: 'open',
            expiresAt: closesAt,
          })
        // The second was announced closed already (its customer's next message, say).
        expect(await store.claimClosedAnnouncement(id, contacts[1] ?? '', closesAt)).toBe(true)

        const claims = contacts.map((contactId) => ({ channelId: id, contactId, expiresAt: closesAt }))
        expect(await store.transaction((tx) => tx.claimClosedAnnouncements(claims))).toEqual([
          true,
          false,
          true,
        ])
        expect(await store.claimClosedAnnouncements(claims)).toEqual([false, false, false])
        expect(await store.claimClosedAnnouncements([])).toEqual([])
      })

      it('prunes only spent closes that closed before the cut-off: a window still closed keeps its close', async () => {
        const { id } = await seedChannel()
        const closesAt = T0 + DAY_MS
        const [spent, live] = ['31600000021', '31600000022']
        for (const contactId of [spent, live]) {
          await store.saveWindowWithJobs(windowRecord(id, contactId, closesAt, opened), [], T0, {
            state: 'open',
            expiresAt: closesAt,
          })
          expect(await store.claimClosedAnnouncement(id, contactId, closesAt)).toBe(true)
        }
        // The first customer wrote again: a new window, announced open.
        await store.saveWindowWithJobs(windowRecord(id, spent, closesAt + DAY_MS, opened), [], closesAt, {
          state: 'open',
          expiresAt: closesAt + DAY_MS,
        })

        expect(await store.pruneSpentCloses(id, closesAt)).toBe(0)
        await store.pruneSpentCloses(id, closesAt + 1)
        expect(await store.pruneSpentCloses(id, closesAt + 1)).toBe(0)

        expect((await store.lockContactWindow(contactRecord(id, live))).announced).toEqual({
          state: 'closed',
          expiresAt: closesAt,
        })
        expect(await store.claimClosedAnnouncement(id, live, closesAt)).toBe(false)
        expect((await store.lockContactWindow(contactRecord(id, spent))).announced).toEqual({
          state: 'open',
          expiresAt: closesAt + DAY_MS,
        })
        expect(await store.claimClosedAnnouncement(id, spent, closesAt)).toBe(false)
        expect(await store.claimClosedAnnouncement(id, spent, closesAt + DAY_MS)).toBe(true)
      })

      it('shows no window for a contact that was locked but never saved', async () => {
        const { id } = await seedChannel()

        await store.transaction((tx) => tx.lockWindow(id, CONTACT_ID))

        expect(await store.getWindow(id, CONTACT_ID)).toBeUndefined()
        expect(await store.listWindows(id, { at: T0, limit: 10, sort: 'contact_id' })).toEqual([])
        expect(await store.lockWindow(id, CONTACT_ID)).toBeUndefined()
      })

      describe('of several contacts at once', () => {
        const byContact = (windows: readonly WindowRecord[]) =>
          [...windows].sort((a, b) => a.contactId.localeCompare(b.contactId))

        it('returns the saved windows of the contacts asked for, leaving out unknown, locked-but-unsaved and other channels’ contacts', async () => {
          const { id } = await seedChannel()
          const { id: otherId } = await seedChannel({ id: 'channel-2', externalId: 'wa-2' })
          const open = windowRecord(id, '31600000001', T0 + DAY_MS, opened)
          const withoutExpiry = windowRecord(id, '31600000002', null)
          const notAskedFor = windowRecord(id, '31600000006', T0 + DAY_MS, opened)
          const otherChannels = windowRecord(otherId, '31600000004', T0 + HOUR_MS, opened)
          for (const window of [open, withoutExpiry, notAskedFor, otherChannels])
            await store.saveWindow(window)
          // Locked for a read-modify-write that never saved: on PostgreSQL a row with no state ('null').
          await store.transaction((tx) => tx.lockWindow(id, '31600000003'))

          const asked = ['31600000004', '31600000003', '31600000002', '31699999999', '31600000001']
          expect(byContact(await store.getWindows(id, asked))).toEqual([open, withoutExpiry])
          expect(await store.getWindows(otherId, asked)).toEqual([otherChannels])
          expect(await store.getWindows('channel-unknown', asked)).toEqual([])
          expect(await store.getWindows(id, [])).toEqual([])
          expect(await store.getWindows(id, ['31699999999'])).toEqual([])

          // Once the locked contact's window is saved, it is returned like any other.
          const saved = windowRecord(id, '31600000003', T0 + DAY_MS, opened)
          await store.saveWindow(saved)
          expect(byContact(await store.getWindows(id, asked))).toEqual([open, withoutExpiry, saved])
        })

        it('answers for 40,000 contacts at once — more than SQLite binds in one statement — each saved one exactly once', async () => {
          const { id } = await seedChannel()
          const contactIds = Array.from({ length: 40_000 }, (_, i) => `316${String(i).padStart(8, '0')}`)
          // Every 20th contact has a window (2,000), and so do some on either side of an edge a slice might have.
          const withWindow = contactIds.filter(
            (_, i) => i % 20 === 0 || [499, 501, 999, 1_001, 39_999].includes(i),
          )
          await store.transaction(async (tx) => {
            for (const contactId of withWindow)
              await tx.saveWindow(windowRecord(id, contactId, T0 + DAY_MS, opened))
          })

          const found = await store.getWindows(id, [...contactIds].reverse())

          expect(found).toHaveLength(withWindow.length)
          expect(found.map((window) => window.contactId).sort()).toEqual(withWindow)
          expect(found).toContainEqual(windowRecord(id, '31600039999', T0 + DAY_MS, opened))
        })
      })

      describe('lists', () => {
        /** Contact id and expiry, in expiry order: soonest first, ties by contact id, no expiry last. */
        const WINDOWS: readonly (readonly [string, Instant | null])[] = [
          ['31600000004', T0 - HOUR_MS],
          ['31600000002', T0],
          ['31600000001', T0 + 1],
          ['31600000005', T0 + HOUR_MS],
          ['31600000006', T0 + HOUR_MS],
          ['31600000003', null],
          ['31600000007', null],
        ]
        const BY_EXPIRY = WINDOWS.map(([contactId]) => contactId)
        const BY_CONTACT = [...BY_EXPIRY].sort()

        let channelId: string

        beforeEach(async () => {
          channelId = (await seedChannel()).id
          // Saved out of order, so the order of the answer comes from the query.
          for (const [contactId, expiresAt] of [...WINDOWS].reverse()) {
            await store.saveWindow(windowRecord(channelId, contactId, expiresAt, opened))
          }
          // Another channel's windows never show.
          const other = await seedChannel({ id: 'channel-2', externalId: 'wa-2' })
          await store.saveWindow(windowRecord(other.id, '31699999999', T0 + HOUR_MS, opened))
        })

        const list = async (query: Partial<WindowQuery> = {}) =>
          (await store.listWindows(channelId, { at: T0, limit: 100, sort: 'expires_at', ...query })).map(
            (row) => row.contactId,
          )

        it('sorts by expiry, soonest first, ties by contact id, contacts without an expiry last', async () => {
          expect(await list()).toEqual(BY_EXPIRY)
        })

        it('sorts by contact id', async () => {
          expect(await list({ sort: 'contact_id' })).toEqual(BY_CONTACT)
        })

        it('counts a window as open until the instant it expires, and closed from then on', async () => {
          expect(await list({ state: 'open' })).toEqual(['31600000001', '31600000005', '31600000006'])
          expect(await list({ state: 'closed' })).toEqual([
            '31600000004',
            '31600000002',
            '31600000003',
            '31600000007',
          ])
          expect(await list({ state: 'open', at: T0 - 1 })).toEqual(BY_EXPIRY.slice(1, 5))
          expect(await list({ state: 'open', at: T0 + HOUR_MS })).toEqual([])
        })

        it('returns at most `limit` windows', async () => {
          expect(await list({ limit: 2 })).toEqual(BY_EXPIRY.slice(0, 2))
        })

        it.each([
          ['expires_at', BY_EXPIRY],
          ['contact_id', BY_CONTACT],
        ] as const)('pages through every window exactly once when sorted by %s', async (sort, expected) => {
          for (const limit of [1, 2, 3, WINDOWS.length]) {
            const seen: string[] = []
            let after: WindowQuery['after']
            // Bounded, so a cursor that never advances fails the assertion instead of hanging.
            for (let page = 0; page <= WINDOWS.length; page++) {
              const rows = await store.listWindows(channelId, {
                at: T0,
                limit,
                sort,
                ...(after === undefined ? {} : { after }),
              })
              seen.push(...rows.map((row) => row.contactId))
              const last = rows.at(-1)
              if (last === undefined) break
              after = { expiresAt: last.expiresAt, contactId: last.contactId }
            }
            expect(seen).toEqual(expected)
          }
        })
      })
    })

    describe('consent', () => {
      it("lists a contact's events by instant, then in the order they were recorded", async () => {
        const { id } = await seedChannel()
        const optIn: ConsentEvent = {
          kind: 'opt_in',
          scope: 'marketing',
          source: 'website_form',
          evidence: 'form v3: “Yes, send me offers”',
          actor: 'agent:7',
          at: T0 + 2 * HOUR_MS,
        }
        const optOut: ConsentEvent = {
          kind: 'opt_out',
          scope: 'all',
          source: 'keyword',
          at: T0 + 2 * HOUR_MS,
        }
        const early: ConsentEvent = { kind: 'opt_in', scope: 'utility', source: 'api', at: T0 }

        const stored = [
          await store.appendConsent(id, CONTACT_ID, optIn, T0 + 3 * HOUR_MS),
          await store.appendConsent(id, CONTACT_ID, optOut, T0 + 4 * HOUR_MS),
          await store.appendConsent(id, CONTACT_ID, early, T0 + 5 * HOUR_MS),
          await store.appendConsent(id, '31600000000', early, T0),
        ]

        expect(stored[0]).toEqual({ ...optIn, id: stored[0]!.id, recordedAt: T0 + 3 * HOUR_MS })
        expect(stored[1]).toEqual({ ...optOut, id: stored[1]!.id, recordedAt: T0 + 4 * HOUR_MS })
        expect(stored[0]!.id).toBeLessThan(stored[1]!.id)
        expect(await store.listConsent(id, CONTACT_ID)).toEqual([stored[2], stored[0], stored[1]])
        expect(await store.listConsent(id, '31699999999')).toEqual([])
      })
    })

    describe('templates', () => {
      it('stores a template and replaces it on a second upsert', async () => {
        const { id } = await seedChannel()
        const original = template({
          header: { format: 'TEXT', text: 'Order update' },
          footer: 'Reply STOP to opt out',
          buttons: [{ type: 'URL', text: 'Track', url: 'https://acme.example/t/{{1}}' }],
          categoryChanges: [{ at: T0, previous: 'MARKETING' }],
        })
        await store.upsertTemplate(id, original, T0)
        expect(await store.getTemplate(id, 'order_update', 'en')).toEqual(original)

        const paused = template({ status: 'PAUSED', category: 'MARKETING', issueResolution: true })
        await store.upsertTemplate(id, paused, T0 + HOUR_MS)

        expect(await store.getTemplate(id, 'order_update', 'en')).toEqual(paused)
        expect(await store.getTemplate(id, 'order_update', 'en_US')).toBeUndefined()
        expect(await store.listTemplates(id)).toEqual([paused])
      })

      it("lists a channel's templates by name, then language", async () => {
        const { id } = await seedChannel()
        const other = await seedChannel({ id: 'channel-2', externalId: 'wa-2' })
        const templates = [
          template({ name: 'welcome', language: 'nl' }),
          template({ name: 'order_update', language: 'pt_BR' }),
          template({ name: 'order_update', language: 'en' }),
        ]
        for (const each of templates) await store.upsertTemplate(id, each, T0)
        await store.upsertTemplate(other.id, template({ name: 'other' }), T0)

        expect(await store.listTemplates(id)).toEqual([templates[2], templates[1], templates[0]])
      })

      it('deletes a template once', async () => {
        const { id } = await seedChannel()
        await store.upsertTemplate(id, template(), T0)
        await store.upsertTemplate(id, template({ language: 'nl' }), T0)

        expect(await store.deleteTemplate(id, 'order_update', 'en')).toBe(true)
        expect(await store.deleteTemplate(id, 'order_update', 'en')).toBe(false)
        expect(await store.getTemplate(id, 'order_update', 'en')).toBeUndefined()
        expect(await store.listTemplates(id)).toEqual([template({ language: 'nl' })])
      })
    })

    describe('messages', () => {
      it('stores a message and reads every field back', async () => {
        const { id } = await seedChannel()
        const refused = message('m1', id, {
          allowed: false,
          reason: 'WINDOW_CLOSED',
          decisionJson: '{"allowed":false,"rules":["CCW-6"]}',
          status: 'refused',
        })
        const priced = message('m2', id, {
          direction: 'inbound',
          externalId: 'wamid.HBgL',
          allowed: null,
          priceMicros: 31_400,
          currency: 'EUR',
          status: 'received',
          metaPricingJson: '{"billable":true}',
          errorJson: '{"code":131047}',
          at: T0 + 1,
          statusAt: T0 + 2,
          createdAt: T0 + 3,
        })

        expect(await store.insertMessage(refused)).toBe(true)
        expect(await store.insertMessage(priced)).toBe(true)

        expect(await store.getMessage('m1')).toEqual(refused)
        expect(await store.getMessage('m2')).toEqual(priced)
        expect(await store.getMessage('m3')).toBeUndefined()
      })

      it('refuses a second message with the same channel, direction and external id, and writes nothing', async () => {
        const { id } = await seedChannel()
        const other = await seedChannel({ id: 'channel-2', externalId: 'wa-2' })
        const first = message('m1', id, { externalId: 'wamid.1' })
        await store.insertMessage(first)

        expect(await store.insertMessage(message('m2', id, { externalId: 'wamid.1', status: 'sent' }))).toBe(
          false,
        )
        expect(await store.getMessage('m2')).toBeUndefined()
        expect(await store.getMessage('m1')).toEqual(first)
        // The same id in the other direction, or on another channel, is another message.
        expect(
          await store.insertMessage(message('m3', id, { externalId: 'wamid.1', direction: 'inbound' })),
        ).toBe(true)
        expect(await store.insertMessage(message('m4', other.id, { externalId: 'wamid.1' }))).toBe(true)
      })

      it('keeps every refused message, though none has an external id', async () => {
        const { id } = await seedChannel()
        const refused = ['m1', 'm2', 'm3'].map((each) =>
          message(each, id, { externalId: null, allowed: false, status: 'refused' }),
        )

        for (const each of refused) expect(await store.insertMessage(each)).toBe(true)

        for (const each of refused) expect(await store.getMessage(each.id)).toEqual(each)
      })

      it('changes only the fields a patch names', async () => {
        const { id } = await seedChannel()
        await store.insertMessage(message('m1', id))

        await store.updateMessage('m1', { externalId: 'wamid.1', status: 'accepted', statusAt: T0 + 1 })
        await store.updateMessage('m1', {})
        await store.updateMessage('m1', {
          status: 'failed',
          statusAt: T0 + 2,
          errorJson: '{"code":131026}',
          metaPricingJson: '{"billable":false}',
        })

        const expected = message('m1', id, {
          externalId: 'wamid.1',
          status: 'failed',
          statusAt: T0 + 2,
          errorJson: '{"code":131026}',
          metaPricingJson: '{"billable":false}',
        })
        expect(await store.getMessage('m1')).toEqual(expected)
        expect(await store.findMessageByExternalId(id, 'outbound', 'wamid.1')).toEqual(expected)
        expect(await store.findMessageByExternalId(id, 'inbound', 'wamid.1')).toBeUndefined()
        expect(await store.findMessageByExternalId(id, 'outbound', 'wamid.2')).toBeUndefined()
      })
    })

    describe('webhook notifications', () => {
      const SAM = 'whatsapp:106540352242922:31612345001'
      const KIM = 'whatsapp:106540352242922:31612345002'
      const TEMPLATE = 'template:en:order_update'
      const claimed = async (subjects?: readonly string[], now = T0) =>
        (await store.claimNotifications(10, now, subjects)).map((row) => row.id)

      it('stores a batch in one write and returns increasing ids in order', async () => {
        const ids = await store.insertNotifications([
          notification('{"n":1}'),
          notification('{"n":2}'),
          notification('{"n":3}'),
        ])
        const more = await store.insertNotifications([notification('{"n":4}')])

        expect(ids).toHaveLength(3)
        expect([...ids, ...more]).toEqual([...ids, ...more].sort((a, b) => a - b))
        expect(new Set([...ids, ...more]).size).toBe(4)
        expect(await store.insertNotifications([])).toEqual([])
        expect(await store.countPendingNotifications()).toBe(4)
      })

      it('claims unprocessed notifications oldest first, up to the limit, as they were stored', async () => {
        const ids = await store.insertNotifications([
          notification('{"n":1}', T0),
          { ...notification('{"n":2}', T0 + 1), platform: 'messenger' },
          notification('{"n":3}', T0 + 2),
        ])

        const { subjects: _, ...first } = notification('{"n":1}', T0)
        const { subjects: __, ...second } = {
          ...notification('{"n":2}', T0 + 1),
          platform: 'messenger' as const,
        }
        expect(await store.claimNotifications(2, T0)).toEqual([
          { id: ids[0], ...first, attempts: 0 },
          { id: ids[1], ...second, attempts: 0 },
        ])
      })

      it('claims, for subjects, the notifications about any of them — one of theirs or one of several — and the unscoped ones', async () => {
        const ids = await store.insertNotifications([
          notification('{"n":1}', T0, [KIM]),
          notification('{"n":2}', T0, [SAM]),
          notification('{"n":3}', T0, []),
          notification('{"n":4}', T0, null),
          notification('{"n":5}', T0, [KIM, SAM]),
          notification('{"n":6}', T0, [TEMPLATE]),
          notification('{"n":7}', T0, [SAM]),
        ])

        expect(await claimed([SAM])).toEqual([ids[1], ids[3], ids[4], ids[6]])
        expect(await claimed([KIM])).toEqual([ids[0], ids[3], ids[4]])
        expect(await claimed([SAM, TEMPLATE])).toEqual([ids[1], ids[3], ids[4], ids[5], ids[6]])
        expect((await store.claimNotifications(2, T0, [SAM])).map((row) => row.id)).toEqual([ids[1], ids[3]])
        expect(await claimed()).toEqual(ids)
      })

      it('shows a decision what concerns its subjects and is not applied, through an id, and dead letters of any id', async () => {
        const [forKim, none, forSam, unscoped, forBoth, later] = await store.insertNotifications([
          notification('{"n":1}', T0, [KIM]),
          notification('{"n":2}', T0, []),
          notification('{"n":3}', T0, [SAM]),
          notification('{"n":4}', T0, null),
          notification('{"n":5}', T0, [SAM, KIM]),
          notification('{"n":6}', T0, [SAM]),
        ])
        const ids = async (subjects: readonly string[], through: number) =>
          (await store.unappliedNotifications(subjects, through)).map((row) => row.id)

        expect(await ids([SAM], forBoth!)).toEqual([forSam, unscoped, forBoth])
        expect(await ids([KIM], Number.MAX_SAFE_INTEGER)).toEqual([forKim, unscoped, forBoth])
        await store.markNotificationsProcessed([forSam!, unscoped!, forBoth!], T0 + 1)
        expect(await ids([SAM], forBoth!)).toEqual([])
        expect(await ids([KIM], Number.MAX_SAFE_INTEGER)).toEqual([forKim])
        await store.recordNotificationFailure(later!, {
          attempts: 5,
          error: 'bad',
          at: T0 + 2,
          retryAt: null,
        })
        expect(await store.unappliedNotifications([SAM], forBoth!)).toEqual([
          { id: later, retryAt: null, deadAt: T0 + 2, error: 'bad' },
        ])
        expect(await ids([], Number.MAX_SAFE_INTEGER)).toEqual([])
        expect(none).toBeDefined()
      })

      it('sets a failed notification aside until its retry is due, without holding up the ones behind it', async () => {
        const [failed, next] = await store.insertNotifications([
          notification('{"n":1}', T0, [SAM]),
          notification('{"n":2}', T0, []),
        ])
        expect(await store.hasFailingNotifications()).toBe(false)

        await store.recordNotificationFailure(failed!, {
          attempts: 1,
          error: 'deadlock',
          at: T0,
          retryAt: T0 + 1_000,
        })

        expect(await claimed(undefined, T0 + 999)).toEqual([next])
        expect(await claimed([SAM], T0 + 999)).toEqual([])
        expect(await store.oldestPendingNotificationId(T0 + 999)).toBe(next)
        expect(await store.unappliedNotifications([SAM], Number.MAX_SAFE_INTEGER)).toEqual([
          { id: failed, retryAt: T0 + 1_000, deadAt: null, error: 'deadlock' },
        ])
        expect(await store.hasFailingNotifications()).toBe(true)
        expect(await store.countPendingNotifications()).toBe(2)
        expect(await store.claimNotifications(10, T0 + 1_000)).toEqual([
          expect.objectContaining({ id: failed, attempts: 1 }),
          expect.objectContaining({ id: next, attempts: 0 }),
        ])
        expect(await store.oldestPendingNotificationId(T0 + 1_000)).toBe(failed)
      })

      it('keeps a dead letter out of claims and counts until it is retried, then claims it afresh', async () => {
        const [dead, other] = await store.insertNotifications([
          notification('{"n":1}', T0 + 5),
          notification('{"n":2}'),
        ])
        await store.recordNotificationFailure(dead!, {
          attempts: 5,
          error: 'poison',
          at: T0 + 9,
          retryAt: null,
        })

        expect(await claimed(undefined, T0 + 100_000)).toEqual([other])
        expect(await store.countPendingNotifications()).toBe(1)
        expect(await store.countDeadNotifications()).toBe(1)
        expect(await store.hasFailingNotifications()).toBe(true)
        expect(await store.oldestPendingNotificationId(T0 + 100_000)).toBe(other)
        expect(await store.listDeadNotifications(0, 10)).toEqual([
          {
            id: dead,
            platform: 'whatsapp',
            body: '{"n":1}',
            signature: notification('{"n":1}').signature,
            receivedAt: T0 + 5,
            attempts: 5,
            deadAt: T0 + 9,
            error: 'poison',
          },
        ])
        expect(await store.listDeadNotifications(dead!, 10)).toEqual([])

        expect(await store.retryDeadNotification(dead!)).toBe(true)
        expect(await store.retryDeadNotification(dead!)).toBe(false)
        expect(await store.countDeadNotifications()).toBe(0)
        expect(await store.claimNotifications(1, T0)).toEqual([
          expect.objectContaining({ id: dead, attempts: 0 }),
        ])
      })

      it('discards a dead letter for good: processed, with the reason, no longer listed or waited for', async () => {
        const [dead, alive] = await store.insertNotifications([
          notification('{"n":1}', T0, [SAM]),
          notification('{"n":2}', T0, []),
        ])
        await store.recordNotificationFailure(dead!, { attempts: 5, error: 'poison', at: T0, retryAt: null })

        expect(await store.discardDeadNotification(alive!, T0 + 1, 'not dead')).toBe(false)
        expect(await store.discardDeadNotification(dead!, T0 + 1, 'discarded by an operator')).toBe(true)
        expect(await store.discardDeadNotification(dead!, T0 + 1, 'again')).toBe(false)

        expect(await store.listDeadNotifications(0, 10)).toEqual([])
        expect(await store.unappliedNotifications([SAM], Number.MAX_SAFE_INTEGER)).toEqual([])
        expect(await store.retryDeadNotification(dead!)).toBe(false)
        expect(await store.hasFailingNotifications()).toBe(false)
      })

      it('names what a dead letter concerns anew when it is given up, for one subject, several or none', async () => {
        const [unscoped, several] = await store.insertNotifications([
          notification('{"n":1}', T0, null),
          notification('{"n":2}', T0, [SAM]),
        ])
        const deadIds = async (subjects: readonly string[]) =>
          (await store.unappliedNotifications(subjects, 0)).map((row) => row.id)

        await store.recordNotificationFailure(unscoped!, {
          attempts: 5,
          error: 'x',
          at: T0,
          retryAt: null,
          subjects: [KIM],
        })
        await store.recordNotificationFailure(several!, {
          attempts: 5,
          error: 'x',
          at: T0,
          retryAt: null,
          subjects: [KIM, TEMPLATE],
        })

        expect(await deadIds([KIM])).toEqual([unscoped, several])
        expect(await deadIds([TEMPLATE])).toEqual([several])
        expect(await deadIds([SAM])).toEqual([])
      })

      it('no longer claims, counts or waits for a notification once it is processed', async () => {
        const [first, second, third] = await store.insertNotifications([
          notification('{"n":1}', T0, [SAM, KIM]),
          notification('{"n":2}'),
          notification('{"n":3}', T0, [SAM]),
        ])

        await store.markNotificationsProcessed([first!, third!], T0 + 1)
        await store.markNotificationsProcessed([], T0 + 1)

        expect(await claimed()).toEqual([second])
        expect(await claimed([SAM])).toEqual([second])
        expect(await store.countPendingNotifications()).toBe(1)
      })

      it('knows the newest notification and the oldest one still pending, while processed ones are skipped', async () => {
        expect(await store.lastNotificationId()).toBe(0)
        expect(await store.oldestPendingNotificationId(T0)).toBeNull()
        const [first, second, third] = await store.insertNotifications([
          notification('{"n":1}'),
          notification('{"n":2}'),
          notification('{"n":3}'),
        ])

        expect(await store.lastNotificationId()).toBe(third)
        expect(await store.oldestPendingNotificationId(T0)).toBe(first)
        await store.markNotificationsProcessed([first!, third!], T0 + 1)
        expect(await store.oldestPendingNotificationId(T0)).toBe(second)
        await store.markNotificationsProcessed([second!], T0 + 1)
        expect(await store.oldestPendingNotificationId(T0)).toBeNull()
        expect(await store.lastNotificationId()).toBe(third)
      })

      it('stores a notification about several subjects with its list in one transaction, or not at all', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.insertNotifications([notification('{"n":1}', T0, [SAM, KIM])])
            throw new Error('rolled back')
          }),
        ).rejects.toThrow('rolled back')

        expect(await store.countPendingNotifications()).toBe(0)
        expect(await store.unappliedNotifications([SAM], Number.MAX_SAFE_INTEGER)).toEqual([])
      })
    })

    describe('webhook deliveries', () => {
      const LEASE_MS = 30_000

      beforeEach(async () => {
        await store.upsertTenant(tenant())
      })

      it('claims only deliveries that are due, soonest first, up to the limit', async () => {
        await store.enqueueDeliveries([
          delivery('d-later', { nextAttemptAt: T0 + 1 }),
          delivery('d-now', { nextAttemptAt: T0 }),
          delivery('d-earlier', { nextAttemptAt: T0 - MINUTE_MS }),
          delivery('d-earliest', { nextAttemptAt: T0 - HOUR_MS }),
        ])
        await store.enqueueDeliveries([])

        const claimed = await store.claimDueDeliveries(T0, 2, T0 + LEASE_MS)
        expect(claimed).toEqual([
          delivery('d-earliest', { nextAttemptAt: T0 - HOUR_MS }),
          delivery('d-earlier', { nextAttemptAt: T0 - MINUTE_MS }),
        ])
        expect((await store.claimDueDeliveries(T0, 10, T0 + LEASE_MS)).map((row) => row.id)).toEqual([
          'd-now',
        ])
      })

      it('does not claim a leased delivery again before its lease ends, and claims it once it has', async () => {
        await store.enqueueDeliveries([delivery('d1')])
        expect(await store.claimDueDeliveries(T0, 10, T0 + LEASE_MS)).toHaveLength(1)

        expect(await store.claimDueDeliveries(T0 + LEASE_MS - 1, 10, T0 + 2 * LEASE_MS)).toEqual([])
        expect(await store.claimDueDeliveries(T0 + LEASE_MS, 10, T0 + 2 * LEASE_MS)).toEqual([delivery('d1')])
      })

      it('completes a delivery: delivered, one more attempt, never claimed again', async () => {
        await store.enqueueDeliveries([delivery('d1', { attempts: 2 })])
        await store.claimDueDeliveries(T0, 10, T0 + LEASE_MS)

        await store.completeDelivery('d1', T0 + 5)

        expect(await store.listDeliveries(TENANT_ID, 10)).toEqual([
          delivery('d1', { status: 'delivered', attempts: 3, deliveredAt: T0 + 5, lastAttemptAt: T0 + 5 }),
        ])
        expect(await store.claimDueDeliveries(T0 + DAY_MS, 10, T0 + DAY_MS + LEASE_MS)).toEqual([])
      })

      it('retries a failed delivery at the later instant it is given, not before', async () => {
        await store.enqueueDeliveries([delivery('d1')])
        await store.claimDueDeliveries(T0, 10, T0 + LEASE_MS)

        await store.retryDelivery('d1', 1, T0 + 10 * MINUTE_MS, 'HTTP 503', T0 + 1)

        expect(await store.claimDueDeliveries(T0 + 10 * MINUTE_MS - 1, 10, T0 + HOUR_MS)).toEqual([])
        expect(await store.claimDueDeliveries(T0 + 10 * MINUTE_MS, 10, T0 + HOUR_MS)).toEqual([
          delivery('d1', {
            attempts: 1,
            nextAttemptAt: T0 + 10 * MINUTE_MS,
            lastError: 'HTTP 503',
            lastAttemptAt: T0 + 1,
          }),
        ])
      })

      it('gives up on a delivery retried without a next attempt', async () => {
        await store.enqueueDeliveries([delivery('d1')])

        await store.retryDelivery('d1', 8, null, 'HTTP 410', T0 + 2)

        expect(await store.listDeliveries(TENANT_ID, 10)).toEqual([
          delivery('d1', { status: 'dead', attempts: 8, lastError: 'HTTP 410', lastAttemptAt: T0 + 2 }),
        ])
        expect(await store.countDeliveries('dead')).toBe(1)
        expect(await store.countDeliveries('pending')).toBe(0)
        expect(await store.claimDueDeliveries(T0 + DAY_MS, 10, T0 + DAY_MS + LEASE_MS)).toEqual([])
      })

      it("counts deliveries by status and lists a tenant's newest first, up to the limit", async () => {
        await store.upsertTenant(tenant({ id: 'tenant-2' }))
        await store.enqueueDeliveries([
          delivery('d1', { createdAt: T0 }),
          delivery('d2', { createdAt: T0 + 2 }),
          delivery('d3', { createdAt: T0 + 1 }),
          delivery('d4', { createdAt: T0 + 3, tenantId: 'tenant-2' }),
        ])
        await store.completeDelivery('d1', T0 + 4)

        expect(await store.countDeliveries('pending')).toBe(3)
        expect(await store.countDeliveries('delivered')).toBe(1)
        expect(await store.countDeliveries('dead')).toBe(0)
        expect((await store.listDeliveries(TENANT_ID, 2)).map((row) => row.id)).toEqual(['d2', 'd3'])
        expect((await store.listDeliveries(TENANT_ID, 10)).map((row) => row.id)).toEqual(['d2', 'd3', 'd1'])
      })
    })

    describe('dead deliveries', () => {
      const OTHER_TENANT = 'tenant-2'
      const LEASE_MS = 30_000

      /** Queues deliveries and gives each up after `attempts` tries, the last at `lastAttemptAt`. */
      async function dead(
        ...records: { readonly id: string; readonly createdAt: Instant; readonly tenantId?: string }[]
      ): Promise<void> {
        await store.enqueueDeliveries(
          records.map((record) =>
            delivery(record.id, {
              createdAt: record.createdAt,
              tenantId: record.tenantId ?? TENANT_ID,
            }),
          ),
        )
        for (const record of records)
          await store.retryDelivery(
            record.id,
            15,
            null,
            `${record.id} answered 500`,
            record.createdAt + HOUR_MS,
          )
      }

      beforeEach(async () => {
        await store.upsertTenant(tenant())
        await store.upsertTenant(tenant({ id: OTHER_TENANT }))
      })

      it("lists only the tenant's dead deliveries, oldest first (then by id), a page at a time", async () => {
        await dead(
          { id: 'd-b', createdAt: T0 + 1 },
          { id: 'd-c', createdAt: T0 },
          { id: 'd-a', createdAt: T0 + 1 },
          { id: 'd-other', createdAt: T0, tenantId: OTHER_TENANT },
        )
        await store.enqueueDeliveries([delivery('d-pending', { createdAt: T0 - 1 })])

        const first = await store.listDeadDeliveries(TENANT_ID, { limit: 2 })
        expect(first.map((row) => row.id)).toEqual(['d-c', 'd-a'])
        expect(first[0]).toEqual(
          delivery('d-c', {
            status: 'dead',
            attempts: 15,
            lastError: 'd-c answered 500',
            lastAttemptAt: T0 + HOUR_MS,
          }),
        )
        const last = first[first.length - 1]
        const next = await store.listDeadDeliveries(TENANT_ID, {
          limit: 2,
          ...(last === undefined ? {} : { after: { createdAt: last.createdAt, id: last.id } }),
        })
        expect(next.map((row) => row.id)).toEqual(['d-b'])
        expect((await store.listDeadDeliveries(OTHER_TENANT, { limit: 10 })).map((row) => row.id)).toEqual([
          'd-other',
        ])
        expect(await store.countDeliveries('dead', TENANT_ID)).toBe(3)
        expect(await store.countDeliveries('dead')).toBe(4)
      })

      it("finds one of the tenant's deliveries by id, never another tenant's", async () => {
        await dead({ id: 'd1', createdAt: T0 }, { id: 'd2', createdAt: T0, tenantId: OTHER_TENANT })

        expect(await store.getDelivery(TENANT_ID, 'd1')).toMatchObject({ id: 'd1', status: 'dead' })
        expect(await store.getDelivery(TENANT_ID, 'd2')).toBeUndefined()
        expect(await store.getDelivery(TENANT_ID, 'd-unknown')).toBeUndefined()
      })

      it('re-drives a dead delivery: pending, no attempts, due at once, its last error kept', async () => {
        await dead({ id: 'd1', createdAt: T0 })
        const now = T0 + DAY_MS

        expect(await store.redriveDeadDelivery(TENANT_ID, 'd1', now)).toBe(true)

        const redriven = delivery('d1', {
          attempts: 0,
          nextAttemptAt: now,
          lastError: 'd1 answered 500',
          lastAttemptAt: T0 + HOUR_MS,
        })
        expect(await store.getDelivery(TENANT_ID, 'd1')).toEqual(redriven)
        expect(await store.listDeadDeliveries(TENANT_ID, { limit: 10 })).toEqual([])
        expect(await store.claimDueDeliveries(now - 1, 10, now + LEASE_MS)).toEqual([])
        expect(await store.claimDueDeliveries(now, 10, now + LEASE_MS)).toEqual([redriven])
      })

      it("re-drives only a dead delivery of the tenant's, once", async () => {
        await dead({ id: 'd1', createdAt: T0 }, { id: 'd2', createdAt: T0, tenantId: OTHER_TENANT })
        await store.enqueueDeliveries([delivery('d-pending')])

        const twice = await Promise.all([
          store.redriveDeadDelivery(TENANT_ID, 'd1', T0 + DAY_MS),
          store.redriveDeadDelivery(TENANT_ID, 'd1', T0 + DAY_MS),
        ])
        expect(twice.sort()).toEqual([false, true])
        expect(await store.redriveDeadDelivery(TENANT_ID, 'd2', T0 + DAY_MS)).toBe(false)
        expect(await store.redriveDeadDelivery(TENANT_ID, 'd-pending', T0 + DAY_MS)).toBe(false)
        expect(await store.redriveDeadDelivery(TENANT_ID, 'd-unknown', T0 + DAY_MS)).toBe(false)
        expect(await store.getDelivery(OTHER_TENANT, 'd2')).toMatchObject({ status: 'dead' })
      })

      it("re-drives the tenant's oldest dead deliveries up to the limit, and says how many", async () => {
        await dead(
          { id: 'd3', createdAt: T0 + 2 },
          { id: 'd1', createdAt: T0 },
          { id: 'd2', createdAt: T0 + 1 },
          { id: 'd-other', createdAt: T0, tenantId: OTHER_TENANT },
        )

        expect(await store.redriveDeadDeliveries(TENANT_ID, T0 + DAY_MS, 2)).toBe(2)

        expect((await store.listDeadDeliveries(TENANT_ID, { limit: 10 })).map((row) => row.id)).toEqual([
          'd3',
        ])
        expect(await store.getDelivery(TENANT_ID, 'd1')).toMatchObject({ status: 'pending', attempts: 0 })
        expect(await store.redriveDeadDeliveries(TENANT_ID, T0 + DAY_MS, 2)).toBe(1)
        expect(await store.redriveDeadDeliveries(TENANT_ID, T0 + DAY_MS, 2)).toBe(0)
        expect(await store.countDeliveries('dead', OTHER_TENANT)).toBe(1)
        expect(await store.countDeliveries('pending', TENANT_ID)).toBe(3)
      })
    })

    describe('idempotency keys', () => {
      const claim = (key: string, requestHash: string, tenantId = TENANT_ID) =>
        store.claimIdempotencyKey({ tenantId, key, requestHash, createdAt: T0 })

      beforeEach(async () => {
        await store.upsertTenant(tenant())
      })

      it("records a new key, then returns the first request's record for the same key", async () => {
        const first = { tenantId: TENANT_ID, key: 'k1', requestHash: 'h1', createdAt: T0 }
        const pending = { ...first, result: null, responseStatus: null, responseBody: null, messageId: null }

        expect(await claim('k1', 'h1')).toEqual({ created: true, record: pending })
        expect(await claim('k1', 'h2')).toEqual({ created: false, record: pending })
        // Keys belong to a tenant.
        await store.upsertTenant(tenant({ id: 'tenant-2' }))
        expect((await claim('k1', 'h1', 'tenant-2')).created).toBe(true)
      })

      it('returns the stored result once the key is completed', async () => {
        await claim('k1', 'h1')

        await store.completeIdempotencyKey(TENANT_ID, 'k1', '{"kind":"forwarded","messageId":"m1"}')

        expect((await claim('k1', 'h1')).record).toMatchObject({
          result: '{"kind":"forwarded","messageId":"m1"}',
          responseStatus: null,
          responseBody: null,
        })
      })

      it('releases a key still in progress so it can be claimed again, but never a completed one', async () => {
        await claim('k1', 'h1')
        await claim('k2', 'h2')
        await store.completeIdempotencyKey(TENANT_ID, 'k2', '{"kind":"refused"}')

        await store.releaseIdempotencyKey(TENANT_ID, 'k1')
        await store.releaseIdempotencyKey(TENANT_ID, 'k2')

        expect(await claim('k1', 'h1-retried')).toMatchObject({
          created: true,
          record: { requestHash: 'h1-retried' },
        })
        expect(await claim('k2', 'h2-retried')).toMatchObject({
          created: false,
          record: { requestHash: 'h2', result: '{"kind":"refused"}' },
        })
      })

      it('names the message a key decided, and completes the key of a message that still waits for its reply', async () => {
        const { id: channelId } = await seedChannel()
        await store.insertMessage(message('m1', channelId))
        await claim('k1', 'h1')
        await claim('k2', 'h2')

        await store.transaction((tx) => tx.bindIdempotencyKey(TENANT_ID, 'k1', 'm1'))
        expect((await claim('k1', 'h1')).record).toMatchObject({ messageId: 'm1', result: null })

        await store.completeIdempotencyKeyOfMessage('m1', '{"kind":"outcome_unknown"}')
        await store.completeIdempotencyKeyOfMessage('m1', '{"kind":"forwarded"}')
        await store.completeIdempotencyKeyOfMessage('m-unknown', '{}')
        expect((await claim('k1', 'h1')).record).toMatchObject({
          messageId: 'm1',
          result: '{"kind":"outcome_unknown"}',
        })
        expect((await claim('k2', 'h2')).record).toMatchObject({ messageId: null, result: null })
      })
    })

    describe('stale sends', () => {
      it('lists outbound messages still pending that were recorded before an instant, oldest first', async () => {
        const { id: channelId } = await seedChannel()
        await store.insertMessage(message('old-pending', channelId, { status: 'pending', createdAt: T0 }))
        await store.insertMessage(
          message('older-pending', channelId, { status: 'pending', createdAt: T0 - 5 }),
        )
        await store.insertMessage(
          message('new-pending', channelId, { status: 'pending', createdAt: T0 + 10 }),
        )
        await store.insertMessage(message('accepted', channelId, { status: 'accepted', createdAt: T0 - 9 }))
        await store.insertMessage(
          message('inbound', channelId, {
            status: 'pending',
            direction: 'inbound',
            externalId: 'wamid.in',
            createdAt: T0 - 9,
          }),
        )

        expect((await store.listStaleSends(T0 + 10, 10)).map((send) => send.id)).toEqual([
          'older-pending',
          'old-pending',
        ])
        expect(await store.listStaleSends(T0 + 10, 1)).toEqual([
          { id: 'older-pending', tenantId: TENANT_ID, createdAt: T0 - 5 },
        ])
        await store.updateMessage('older-pending', { status: 'unknown' })
        expect((await store.listStaleSends(T0 + 11, 10)).map((send) => send.id)).toEqual([
          'old-pending',
          'new-pending',
        ])
      })
    })

    describe('transactions', () => {
      it('commits the work and returns its value', async () => {
        const value = await store.transaction(async (tx) => {
          await tx.upsertTenant(tenant())
          return 42
        })

        expect(value).toBe(42)
        expect(await store.getTenant(TENANT_ID)).toEqual(tenant())
      })

      it('rolls back every write when the work throws, and rethrows', async () => {
        const failure = new Error('upstream down')

        const run = store.transaction(async (tx) => {
          await tx.upsertTenant(tenant())
          const { id } = await tx.upsertChannel(channel())
          await tx.insertMessage(message('m1', id))
          await tx.insertNotifications([notification('{}')])
          await tx.enqueueDeliveries([delivery('d1')])
          expect(await tx.getTenant(TENANT_ID)).toEqual(tenant())
          throw failure
        })

        await expect(run).rejects.toBe(failure)
        expect(await store.listTenants()).toEqual([])
        expect(await store.listChannels()).toEqual([])
        expect(await store.getMessage('m1')).toBeUndefined()
        expect(await store.countPendingNotifications()).toBe(0)
        expect(await store.countDeliveries('pending')).toBe(0)
      })

      it('runs a nested transaction inside the outer one, so the outer rollback undoes it too', async () => {
        const failure = new Error('after the nested transaction')

        const run = store.transaction(async (tx) => {
          await tx.upsertTenant(tenant())
          await tx.transaction(async (nested) => {
            // The nested transaction sees the outer one's uncommitted write: it is the same transaction.
            expect(await nested.getTenant(TENANT_ID)).toEqual(tenant())
            await nested.upsertChannel(channel())
          })
          expect(await tx.listChannels()).toHaveLength(1)
          throw failure
        })

        await expect(run).rejects.toBe(failure)
        expect(await store.listTenants()).toEqual([])
        expect(await store.listChannels()).toEqual([])
      })
    })

    describe('lifecycle', () => {
      it('answers a ping while open, and rejects one once closed', async () => {
        const second = await database!.open()

        await expect(second.ping()).resolves.toBeUndefined()
        await second.close()
        await expect(second.ping()).rejects.toThrow()
        await expect(store.ping()).resolves.toBeUndefined()
      })

      it('opens a database that is already migrated and keeps its rows', async () => {
        await store.upsertTenant(tenant())

        const reopened = await database!.open()
        const again = await database!.open()

        expect(await reopened.getTenant(TENANT_ID)).toEqual(tenant())
        expect(await again.listTenants()).toEqual([tenant()])
        await reopened.close()
        await again.close()
      })
    })

    describe('concurrency', () => {
      /** Resolves once `parties` callers wait on it; with one party it never waits. */
      function barrier(parties: number): () => Promise<void> {
        let arrived = 0
        let release!: () => void
        const released = new Promise<void>((resolve) => (release = resolve))
        return () => {
          arrived += 1
          if (arrived === parties) release()
          return released
        }
      }

      it("loses no update when 20 transactions read-modify-write a new contact's window at once", async () => {
        const { id } = await seedChannel()

        const increment = () =>
          store.transaction(async (tx) => {
            const state = (await tx.lockWindow(id, CONTACT_ID)) ?? NEW_CONTACT
            // Give the other transactions every chance to read the same value meanwhile.
            await new Promise((resolve) => setTimeout(resolve, 2))
            const next = { ...state, windowsOpened: state.windowsOpened + 1 }
            await tx.saveWindow(windowRecord(id, CONTACT_ID, T0 + DAY_MS, next))
          })
        await Promise.all(Array.from({ length: 20 }, increment))

        expect((await store.getWindow(id, CONTACT_ID))?.state.windowsOpened).toBe(20)
      })

      it('loses no update when 20 transactions store a new contact and read-modify-write its window at once', async () => {
        const { id } = await seedChannel()

        const increment = (n: number) =>
          store.transaction(async (tx) => {
            const contact = contactRecord(id, CONTACT_ID, `Ana ${n}`)
            const state = (await tx.lockContactWindow(contact)).state ?? NEW_CONTACT
            await new Promise((resolve) => setTimeout(resolve, 2))
            const next = { ...state, windowsOpened: state.windowsOpened + 1 }
            await tx.saveWindow(windowRecord(id, CONTACT_ID, T0 + DAY_MS, next))
          })
        await Promise.all(Array.from({ length: 20 }, (_, n) => increment(n)))

        expect((await store.getWindow(id, CONTACT_ID))?.state.windowsOpened).toBe(20)
        expect((await store.getContacts(id, [CONTACT_ID])).map((row) => row.contactId)).toEqual([CONTACT_ID])
      })

      it('never hands the same notification to two transactions claiming at the same time', async () => {
        const ids = await store.insertNotifications(
          Array.from({ length: 10 }, (_, n) => notification(`{"n":${n}}`)),
        )
        // Both claim before either commits (where transactions can overlap), then process what they got.
        const bothClaimed = barrier(dialect.overlappingTransactions ? 2 : 1)

        const claimAndProcess = () =>
          store.transaction(async (tx) => {
            const claimed = (await tx.claimNotifications(5, T0)).map((row) => row.id)
            await bothClaimed()
            await tx.markNotificationsProcessed(claimed, T0)
            return claimed
          })
        const [first, second] = await Promise.all([claimAndProcess(), claimAndProcess()])

        expect(first).toHaveLength(5)
        expect(second).toHaveLength(5)
        expect([...first, ...second].sort((a, b) => a - b)).toEqual(ids)
        expect(await store.countPendingNotifications()).toBe(0)
      })

      it('never hands the same delivery to two claims at the same time', async () => {
        await store.upsertTenant(tenant())
        const ids = Array.from({ length: 10 }, (_, n) => `d${String(n).padStart(2, '0')}`)
        await store.enqueueDeliveries(ids.map((each) => delivery(each)))
        // Each claim's transaction stays open until both have claimed, so the second claim meets the
        // first one's rows still locked rather than already leased.
        const bothClaimed = barrier(dialect.overlappingTransactions ? 2 : 1)

        const claim = () =>
          store.transaction(async (tx) => {
            const claimed = await tx.claimDueDeliveries(T0, 5, T0 + MINUTE_MS)
            await bothClaimed()
            return claimed.map((row) => row.id)
          })
        const [first, second] = await Promise.all([claim(), claim()])

        expect(first).toHaveLength(5)
        expect(second).toHaveLength(5)
        expect([...first, ...second].sort()).toEqual(ids)
      })
    })

    describe('values', () => {
      it('keeps instants near 2^53 ms exactly', async () => {
        const latest = Number.MAX_SAFE_INTEGER // 2^53 − 1
        const { id } = await seedChannel({ createdAt: latest - 1, updatedAt: latest })
        await store.upsertTenant(tenant({ id: 'tenant-late', createdAt: latest }))
        await store.saveWindow({ ...windowRecord(id, CONTACT_ID, latest - 2), updatedAt: latest })
        await store.insertMessage(message('m1', id, { at: latest, statusAt: latest - 1, createdAt: latest }))
        await store.enqueueDeliveries([delivery('d1', { nextAttemptAt: latest - 3, createdAt: latest })])
        const consent = await store.appendConsent(
          id,
          CONTACT_ID,
          { kind: 'opt_in', scope: 'all', source: 'api', at: latest },
          latest,
        )

        expect((await store.getTenant('tenant-late'))?.createdAt).toBe(latest)
        expect(await store.findChannel('whatsapp', channel().externalId)).toMatchObject({
          createdAt: latest - 1,
          updatedAt: latest,
        })
        expect(await store.getWindow(id, CONTACT_ID)).toMatchObject({
          expiresAt: latest - 2,
          updatedAt: latest,
        })
        expect(
          await store.listWindows(id, { state: 'open', at: latest - 3, limit: 10, sort: 'expires_at' }),
        ).toHaveLength(1)
        expect(await store.getMessage('m1')).toMatchObject({ at: latest, statusAt: latest - 1 })
        expect(await store.claimDueDeliveries(latest - 3, 10, latest)).toMatchObject([
          { nextAttemptAt: latest - 3, createdAt: latest },
        ])
        expect(await store.listConsent(id, CONTACT_ID)).toEqual([consent])
        expect(consent).toMatchObject({ at: latest, recordedAt: latest })
      })

      it('keeps JSON and bodies with non-ASCII text exactly', async () => {
        const text = 'Olá 👋🏽 — 你好, مرحبا, Ünïcödé e\u0301 \u2028 "quoted" \\ back'
        const settings = { greeting: text, nested: { list: [text, 1.5, null, true] } }
        const { id } = await seedChannel({ settings })
        const state = { ...NEW_CONTACT, windowsOpened: 3 }
        await store.saveWindow(windowRecord(id, CONTACT_ID, T0, state))
        const greeting = template({ name: 'greeting', body: `${text} {{1}}`, footer: text })
        await store.upsertTemplate(id, greeting, T0)
        const bodyJson = JSON.stringify({ type: 'text', text: { body: text } })
        await store.insertMessage(message('m1', id, { bodyJson, reason: text }))
        const [notificationId] = await store.insertNotifications([notification(bodyJson)])
        await store.enqueueDeliveries([delivery('d1', { payload: bodyJson })])
        await store.ensureContact({
          channelId: id,
          contactId: CONTACT_ID,
          country: null,
          profileName: text,
          createdAt: T0,
        })

        expect((await store.findChannel('whatsapp', channel().externalId))?.settings).toEqual(settings)
        expect((await store.getWindow(id, CONTACT_ID))?.state).toEqual(state)
        expect(await store.getTemplate(id, 'greeting', 'en')).toEqual(greeting)
        expect(await store.getMessage('m1')).toMatchObject({ bodyJson, reason: text })
        expect(await store.claimNotifications(1, T0)).toEqual([
          expect.objectContaining({ id: notificationId, body: bodyJson, attempts: 0 }),
        ])
        expect((await store.listDeliveries(TENANT_ID, 1))[0]?.payload).toBe(bodyJson)
        expect((await store.getContact(id, CONTACT_ID))?.profileName).toBe(text)
      })
    })
  })
}
