import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyEvent, NEW_CONTACT } from '../../src/domain/index.js'
import { ensureContact, windowRecordOf } from '../../src/gateway/contacts/contacts.js'
import type { ChannelRecord } from '../../src/store/store.js'
import { ACME_PAGE, openFixture, type FixtureDialect, type NativeApiFixture } from './native-api-fixture.js'

/**
 * Data that an earlier version, a broken webhook or a form field let through may already be stored: reading it back
 * through the API must never fail. A Messenger `timestamp` of -1e16 made the contact's window and the Page's whole
 * contact list answer 500 for ever after; a message body nested thousands of levels deep, its message.
 */
const BROKEN_AT = -1e16
const BROKEN_AT_TEXT = '-314918-08-13T06:13:20.000Z'
const PSID = '7000000000000001'

const DIALECTS: readonly FixtureDialect[] = ['sqlite', 'postgres']

for (const dialect of DIALECTS) {
  describe(`reading back stored data carewindow would not take today (${dialect})`, () => {
    let fixture: NativeApiFixture
    let page: ChannelRecord

    beforeEach(async () => {
      fixture = await openFixture(dialect)
      const { store, directory } = fixture.gateway
      const found = await store.findChannel('messenger', ACME_PAGE)
      if (found === undefined) throw new Error('the fixture has a Messenger Page')
      page = found
      const { settings } = directory.policyOf(page)
      const state = applyEvent(
        NEW_CONTACT,
        'messenger',
        { kind: 'inbound', at: BROKEN_AT, referral: null, messageType: 'message' },
        settings,
      )
      await store.transaction(async (tx) => {
        await ensureContact(tx, page, PSID, fixture.now())
        await tx.saveWindow(windowRecordOf(page, PSID, state, settings, fixture.now()))
      })
    })

    afterEach(() => fixture.close())

    it('shows the contact’s window with the instants as stored, in ISO 8601’s expanded years', async () => {
      const reply = await fixture.call('GET', `/v1/channels/${ACME_PAGE}/contacts/${PSID}/window`)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        state: 'closed',
        opened_at: BROKEN_AT_TEXT,
        last_user_message_at: BROKEN_AT_TEXT,
      })
    })

    it('lists the Page’s contacts, the broken one among them', async () => {
      const reply = await fixture.call('GET', `/v1/channels/${ACME_PAGE}/contacts`)
      expect(reply.status).toBe(200)
      expect((reply.body as { data: { contact_id: string }[] }).data.map((row) => row.contact_id)).toContain(
        PSID,
      )
    })

    it('shows a message received at such an instant', async () => {
      await fixture.gateway.store.insertMessage({
        id: 'msg_broken_timestamp',
        tenantId: page.tenantId,
        channelId: page.id,
        contactId: PSID,
        direction: 'inbound',
        externalId: 'm_broken_timestamp',
        at: BROKEN_AT,
        bodyJson: '{"mid":"m_broken_timestamp","text":"hi"}',
        allowed: null,
        reason: null,
        decisionJson: null,
        priceMicros: null,
        currency: null,
        status: 'received',
        statusAt: BROKEN_AT,
        metaPricingJson: null,
        errorJson: null,
        createdAt: fixture.now(),
      })
      const reply = await fixture.call('GET', '/v1/messages/msg_broken_timestamp')
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ at: BROKEN_AT_TEXT, status_at: BROKEN_AT_TEXT })
    })

    it('shows a message whose stored body nests too deep to answer with as the text it is', async () => {
      const deepBody = `{"mid":"m_deep","text":"hi","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`
      await fixture.gateway.store.insertMessage({
        id: 'msg_deep_body',
        tenantId: page.tenantId,
        channelId: page.id,
        contactId: PSID,
        direction: 'inbound',
        externalId: 'm_deep',
        at: fixture.now(),
        bodyJson: deepBody,
        allowed: null,
        reason: null,
        decisionJson: null,
        priceMicros: null,
        currency: null,
        status: 'received',
        statusAt: fixture.now(),
        metaPricingJson: null,
        errorJson: null,
        createdAt: fixture.now(),
      })
      const reply = await fixture.call('GET', '/v1/messages/msg_deep_body')
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({ id: 'msg_deep_body', body: deepBody })
    })
  })
}
