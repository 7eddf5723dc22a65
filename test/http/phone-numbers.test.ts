import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { signatureOf } from '../../src/channels/signature.js'
import { applyEvent, NEW_CONTACT } from '../../src/domain/index.js'
import { ensureContact, windowRecordOf } from '../../src/gateway/contacts/contacts.js'
import {
  ACME_APP_SECRET,
  ACME_NUMBER,
  HOUR,
  openFixture,
  T0,
  type FixtureDialect,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'

/**
 * One customer, however the business or Meta writes the number: a window opened by a message from 31612345678 is
 * the window of `+31 06 12345678`, `0031 6 1234 5678` and the rest, on the proxy, under /v1 and in the stored
 * messages; and a contact stored before numbers were normalised this way keeps its window.
 */
const WA_ID = '31612345678'
const WRITTEN_FORMS = [
  '31612345678',
  '+31612345678',
  '0031 6 1234 5678',
  '+31 06 12345678',
  '+31 (0)6-1234-5678',
  '31-6-1234-5678',
]

const DIALECTS: readonly FixtureDialect[] = ['sqlite', 'postgres']

const windowPath = (contact: string) =>
  `/v1/channels/${ACME_NUMBER}/contacts/${encodeURIComponent(contact)}/window`

for (const dialect of DIALECTS) {
  describe(`phone numbers written any way are one contact (${dialect})`, () => {
    let fixture: NativeApiFixture

    beforeEach(async () => {
      fixture = await openFixture(dialect)
    })
    afterEach(() => fixture.close())

    /** A customer's text message as Meta posts it, signed, with `from` and `wa_id` as given. */
    async function metaDelivers(from: string, at: number): Promise<void> {
      const text = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'waba-1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: ACME_NUMBER, phone_number_id: ACME_NUMBER },
                  contacts: [{ profile: { name: 'Sanne' }, wa_id: from }],
                  messages: [
                    {
                      from,
                      id: `wamid.${String(at)}`,
                      timestamp: String(at / 1000),
                      type: 'text',
                      text: { body: 'Hi' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      })
      const response = await fixture.app.inject({
        method: 'POST',
        url: '/webhooks/whatsapp',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signatureOf(text, ACME_APP_SECRET),
        },
        payload: text,
      })
      expect(response.statusCode).toBe(200)
      await fixture.gateway.inbox.drain()
    }

    const sendText = (to: string): Promise<Reply> =>
      fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, {
        body: { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Thanks for writing' } },
      })

    async function storedContactOf(sent: Reply): Promise<string | undefined> {
      const id = String(sent.headers['x-carewindow-message-id'])
      return (await fixture.gateway.store.getMessage(id))?.contactId
    }

    it('lets the business reply in the customer’s window to every written form of the number', async () => {
      await metaDelivers(WA_ID, T0)
      fixture.advance(HOUR)
      for (const to of WRITTEN_FORMS) {
        const sent = await sendText(to)
        expect(sent, to).toMatchObject({
          status: 200,
          body: { contacts: [{ input: to, wa_id: WA_ID }] },
        })
        expect(await storedContactOf(sent), to).toBe(WA_ID)
        const window = await fixture.call('GET', windowPath(to))
        expect(window, to).toMatchObject({
          status: 200,
          body: {
            contact_id: WA_ID,
            state: 'open',
            last_user_message_at: new Date(T0).toISOString(),
            expires_at: new Date(T0 + 24 * HOUR).toISOString(),
          },
        })
      }
      expect(await fixture.countRows('contacts')).toBe(1)
      expect(await fixture.countRows('windows')).toBe(1)
    })

    it('keys a notification whose number Meta wrote with + and a trunk 0 as the same customer', async () => {
      await metaDelivers(WA_ID, T0)
      fixture.advance(20 * HOUR)
      await metaDelivers('+31 06 12345678', T0 + 20 * HOUR)
      fixture.advance(10 * HOUR)
      // Still open 30 hours after the first message: the second one, written differently, extended this window.
      expect((await fixture.call('GET', windowPath('0031 6 1234 5678'))).body).toMatchObject({
        contact_id: WA_ID,
        state: 'open',
        last_user_message_at: new Date(T0 + 20 * HOUR).toISOString(),
      })
      expect((await sendText('+31 (0)6-1234-5678')).status).toBe(200)
      expect(await fixture.countRows('contacts')).toBe(1)
    })

    it('finds a US customer written with +1, spaces, parentheses and a dash', async () => {
      await metaDelivers('16505551234', T0)
      const sent = await sendText('+1 (650) 555-1234')
      expect(sent.status).toBe(200)
      expect(await storedContactOf(sent)).toBe('16505551234')
      expect((await fixture.call('GET', windowPath('+1 650 555 1234'))).body).toMatchObject({ state: 'open' })
    })

    it('keeps the window of a contact stored before, already as digits, for every written form', async () => {
      const { store, directory } = fixture.gateway
      const channel = await store.findChannel('whatsapp', ACME_NUMBER)
      if (channel === undefined) throw new Error('the fixture has Acme’s WhatsApp number')
      const { settings } = directory.policyOf(channel)
      const state = applyEvent(
        NEW_CONTACT,
        'whatsapp',
        { kind: 'inbound', at: T0, referral: null, messageType: 'text' },
        settings,
      )
      await store.transaction(async (tx) => {
        await ensureContact(tx, channel, WA_ID, T0)
        await tx.saveWindow(windowRecordOf(channel, WA_ID, state, settings, T0))
      })
      fixture.advance(HOUR)
      const sent = await sendText('+31 06 12345678')
      expect(sent.status).toBe(200)
      expect(await storedContactOf(sent)).toBe(WA_ID)
      expect((await fixture.call('GET', windowPath('0031 6 1234 5678'))).body).toMatchObject({
        contact_id: WA_ID,
        state: 'open',
      })
      expect((await fixture.call('GET', windowPath(WA_ID))).body).toMatchObject({ contact_id: WA_ID })
      expect(await fixture.countRows('contacts')).toBe(1)
    })

    it.each([
      ['letters', '31612abc', 'to: "31612abc" is neither a phone number'],
      ['too few digits', '+31 6 12', 'to: "+31 6 12" is too short for a phone number in NL (+31)'],
      ['too many digits', '+31 6 1234 5678 9012', 'to: "+31 6 1234 5678 9012" is too long'],
      ['an unknown country calling code', '+999 1234 5678', 'does not start with a country calling code'],
      ['a number written nationally', '06 1234 5678', 'to: "06 1234 5678" is written nationally'],
    ])('refuses a "to" with %s with a 400 in Graph’s envelope, writing nothing', async (_, to, details) => {
      const sent = await sendText(to)
      expect(sent).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 100,
            type: 'OAuthException',
            error_data: { details: expect.stringContaining(details) as unknown },
          },
        },
      })
      const window = await fixture.call('GET', windowPath(to))
      expect(window).toMatchObject({
        status: 400,
        body: {
          error: { code: 100, error_data: { details: expect.stringMatching(/^contact_id: /) as unknown } },
        },
      })
      expect(await fixture.countRows('messages')).toBe(0)
      expect(await fixture.countRows('contacts')).toBe(0)
    })
  })
}
