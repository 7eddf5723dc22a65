import fc from 'fast-check'
import {
  CLICK_TO_WHATSAPP_AD,
  ESCAPED_UNICODE_TEXT,
  INBOUND_TEXT,
  POSTMAN_QUICK_REPLY_BUTTON,
  POSTMAN_TEXT,
  RAW_UTF8_TEXT,
  STATUS_FAILED,
  STATUS_READ,
  STATUS_SENT,
  TEMPLATE_PAUSED,
  USER_PREFERENCES_STOP,
} from '../e2e/fixtures/meta-examples.js'
import { attachmentExample, textExample } from '../e2e/fixtures/messenger-examples.js'
import { TEMPLATES } from '../support/test-gateway.js'
import type { FuzzJson } from './json-text.js'
import { CHANNELS, FUZZ_EPOCH, type ChannelName } from './fuzz-config.js'

/**
 * Valid requests of every kind carewindow takes — Meta's own webhook examples, Graph send bodies, `/v1` bodies —
 * that the fuzz suite then mutates. Placeholders `@@wamid@@` and `@@mid@@` are replaced, when the request is made,
 * by the id of a message carewindow sent earlier in the run (so statuses and reactions can find it).
 */

export const WAMID_PLACEHOLDER = '@@wamid@@'
export const MID_PLACEHOLDER = '@@mid@@'

/** Customers of the WhatsApp channels (wa_ids as Meta writes them, and as people type them). */
export const WHATSAPP_CONTACTS = [
  '16505551234',
  '31612345678',
  '16315551234',
  '46701234567',
  '33612345678',
  '447700900123',
  '5511987654321',
  '+31 6 1234 5678',
] as const

/** Page-scoped user ids of the Messenger Pages. */
export const PSIDS = ['1254459154682919', '2222222222222222', '6789012345', '24897532459701234'] as const

const HOUR_MS = 3_600_000

/** Instants around the run's clock: now, inside a window, near its end, after it, long ago, in the future. */
const instant: fc.Arbitrary<number> = fc
  .constantFrom(
    0,
    1,
    HOUR_MS,
    23 * HOUR_MS,
    24 * HOUR_MS - 1000,
    25 * HOUR_MS,
    7 * 24 * HOUR_MS,
    400 * 24 * HOUR_MS,
  )
  .chain((offset) => fc.constantFrom(FUZZ_EPOCH - offset, FUZZ_EPOCH + offset))

const isoInstant = instant.map((at) => new Date(at).toISOString())

const parse = (text: string): FuzzJson => JSON.parse(text) as FuzzJson

export const whatsappContact = fc.constantFrom(...WHATSAPP_CONTACTS)
export const psid = fc.constantFrom(...PSIDS)
const words = fc.constantFrom('Hi', 'Is my order on its way?', 'STOP', 'stop', 'Start', 'Café ☕', 'ok')

/** A Graph `POST /{phone_number_id}/messages` body. */
export const whatsappSendBody: fc.Arbitrary<FuzzJson> = fc
  .tuple(whatsappContact, words, fc.nat(9))
  .map(([to, text, kind]): FuzzJson => {
    const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to }
    switch (kind) {
      case 0:
        return { ...base, type: 'text', text: { preview_url: false, body: text } }
      case 1:
        return {
          ...base,
          type: 'template',
          template: {
            name: 'order_confirmation',
            language: { code: 'en_US' },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: 'A-1042' },
                  { type: 'text', text: 'Monday' },
                ],
              },
            ],
          },
        }
      case 2:
        return {
          ...base,
          type: 'template',
          template: {
            name: 'ticket_update',
            language: { code: 'en' },
            components: [
              { type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'T-7' }] },
            ],
          },
        }
      case 3:
        return {
          ...base,
          type: 'template',
          template: {
            name: 'autumn_sale',
            language: { code: 'en', policy: 'deterministic' },
            components: [{ type: 'body', parameters: [{ type: 'text', text: text }] }],
          },
        }
      case 4:
        return { ...base, type: 'image', image: { link: 'https://example.com/a.png', caption: text } }
      case 5:
        return {
          ...base,
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text },
            action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] },
          },
        }
      case 6:
        return { ...base, type: 'reaction', reaction: { message_id: WAMID_PLACEHOLDER, emoji: '👍' } }
      case 7:
        return { messaging_product: 'whatsapp', status: 'read', message_id: WAMID_PLACEHOLDER }
      case 8:
        return {
          ...base,
          type: 'location',
          location: { latitude: 52.37, longitude: 4.89, name: 'Depot', address: 'Dam 1' },
        }
      default:
        return {
          ...base,
          type: 'text',
          context: { message_id: WAMID_PLACEHOLDER },
          text: { body: text },
        }
    }
  })

/** A Send API body (`/{page_id}/messages`, `/me/messages`). */
export const messengerSendBody: fc.Arbitrary<FuzzJson> = fc
  .tuple(
    psid,
    words,
    fc.constantFrom(
      'RESPONSE',
      'UPDATE',
      'MESSAGE_TAG',
      'MESSAGE_TAG',
      'typing_on',
      'mark_seen',
      'attachment',
      'quick_replies',
    ),
    fc.constantFrom(
      'HUMAN_AGENT',
      'ACCOUNT_UPDATE',
      'CONFIRMED_EVENT_UPDATE',
      'POST_PURCHASE_UPDATE',
      'SHIPPING_UPDATE',
      'ISSUE_RESOLUTION',
    ),
  )
  .map(([id, text, kind, tag]): FuzzJson => {
    const recipient = { id }
    switch (kind) {
      case 'typing_on':
      case 'mark_seen':
        return { recipient, sender_action: kind }
      case 'attachment':
        return {
          recipient,
          messaging_type: 'RESPONSE',
          message: {
            attachment: { type: 'image', payload: { url: 'https://example.com/a.png', is_reusable: true } },
          },
        }
      case 'quick_replies':
        return {
          recipient,
          messaging_type: 'RESPONSE',
          message: { text, quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES' }] },
        }
      case 'MESSAGE_TAG':
        return { recipient, messaging_type: 'MESSAGE_TAG', tag, message: { text } }
      default:
        return { recipient, messaging_type: kind, message: { text } }
    }
  })

/** The phone_number_id a notification names, and the WhatsApp channels Meta would send it for. */
const whatsappChannel = fc.constantFrom<ChannelName>('whatsapp', 'postman', 'sandbox', 'globexWhatsapp')

function withPhoneNumberId(notification: string, phoneNumberId: string): FuzzJson {
  return parse(notification.replaceAll(/"phone_number_id": ?"\d+"/g, `"phone_number_id":"${phoneNumberId}"`))
}

function whatsappValue(phoneNumberId: string, value: Record<string, FuzzJson>, field = 'messages'): FuzzJson {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  }
}

/** A WhatsApp notification and the channel whose app secret signs it. */
export const whatsappNotification: fc.Arbitrary<{ readonly channel: ChannelName; readonly body: FuzzJson }> =
  fc
    .tuple(
      whatsappChannel,
      fc.nat(13),
      whatsappContact.map((contact) => contact.replace(/\D/g, '')),
      instant,
      words,
      fc.nat(999_999),
    )
    .map(([channel, kind, from, at, text, serial]) => {
      const id = CHANNELS[channel].id
      const seconds = String(Math.floor(at / 1000))
      const inbound = (message: Record<string, FuzzJson>): FuzzJson =>
        whatsappValue(id, {
          contacts: [{ profile: { name: 'Fuzz Customer' }, wa_id: from }],
          messages: [{ from, id: `wamid.fuzz${serial}`, timestamp: seconds, ...message }],
        })
      const status = (state: string): FuzzJson =>
        whatsappValue(id, {
          statuses: [
            {
              id: WAMID_PLACEHOLDER,
              status: state,
              timestamp: seconds,
              recipient_id: from,
              ...(state === 'failed'
                ? { errors: [{ code: 131049, title: 'Not delivered', error_data: { details: 'x' } }] }
                : {
                    conversation: {
                      id: 'c0ffee',
                      expiration_timestamp: String(Math.floor(at / 1000) + 86_400),
                      origin: { type: 'service' },
                    },
                    pricing: {
                      billable: false,
                      pricing_model: 'PMP',
                      type: 'free_customer_service',
                      category: 'service',
                    },
                  }),
            },
          ],
        })
      const body = ((): FuzzJson => {
        switch (kind) {
          case 0:
            return withPhoneNumberId(INBOUND_TEXT, id)
          case 1:
            return withPhoneNumberId(CLICK_TO_WHATSAPP_AD, id)
          case 2:
            return withPhoneNumberId(POSTMAN_TEXT, id)
          case 3:
            return withPhoneNumberId(POSTMAN_QUICK_REPLY_BUTTON, id)
          case 4:
            return withPhoneNumberId([STATUS_SENT, STATUS_READ, STATUS_FAILED][serial % 3] as string, id)
          case 5:
            return withPhoneNumberId(USER_PREFERENCES_STOP, id)
          case 6:
            return parse(TEMPLATE_PAUSED)
          case 7:
            return withPhoneNumberId(serial % 2 === 0 ? ESCAPED_UNICODE_TEXT : RAW_UTF8_TEXT, id)
          case 8:
            return inbound({ type: 'text', text: { body: text } })
          case 9:
            return inbound({
              type: 'text',
              text: { body: text },
              referral: {
                source_type: serial % 2 === 0 ? 'ad' : 'post',
                source_id: '1',
                source_url: 'https://fb.me/x',
              },
            })
          case 10:
            return status(['sent', 'delivered', 'read', 'failed'][serial % 4] as string)
          case 11:
            return whatsappValue(
              id,
              {
                contacts: [{ profile: { name: 'Fuzz Customer' }, wa_id: from }],
                user_preferences: [
                  {
                    wa_id: from,
                    detail: 'User requested',
                    category: 'marketing_messages',
                    value: serial % 2 === 0 ? 'stop' : 'resume',
                    timestamp: Math.floor(at / 1000),
                  },
                ],
              },
              'user_preferences',
            )
          case 12:
            return {
              object: 'whatsapp_business_account',
              entry: [
                {
                  id: '102290129340398',
                  time: Math.floor(at / 1000),
                  changes: [
                    {
                      field: 'template_category_update',
                      value: {
                        message_template_id: 1_689_556_908_129_832,
                        message_template_name: (TEMPLATES[serial % TEMPLATES.length] ?? TEMPLATES[0]).name,
                        message_template_language: (TEMPLATES[serial % TEMPLATES.length] ?? TEMPLATES[0])
                          .language,
                        previous_category: 'UTILITY',
                        new_category: 'MARKETING',
                        correct_category: 'MARKETING',
                      },
                    },
                  ],
                },
              ],
            }
          default:
            return inbound({ type: 'button', button: { text: 'No', payload: 'No-Button-Payload' } })
        }
      })()
      return { channel, body }
    })

/** A Messenger notification (`object: page`) and the Page whose app secret signs it. */
export const messengerNotification: fc.Arbitrary<{ readonly channel: ChannelName; readonly body: FuzzJson }> =
  fc
    .tuple(
      fc.constantFrom<ChannelName>('page', 'globexPage'),
      fc.nat(10),
      psid,
      instant,
      words,
      fc.nat(999_999),
    )
    .map(([channel, kind, user, at, text, serial]) => {
      const pageId = CHANNELS[channel].id
      const event = (fields: Record<string, FuzzJson>): FuzzJson => ({
        object: 'page',
        entry: [
          {
            id: pageId,
            time: at + 500,
            messaging: [{ sender: { id: user }, recipient: { id: pageId }, timestamp: at, ...fields }],
          },
        ],
      })
      const body = ((): FuzzJson => {
        switch (kind) {
          case 0:
            return parse(textExample(user, pageId))
          case 1:
            return parse(attachmentExample(user))
          case 2:
            return event({ message: { mid: `m_fuzz${serial}`, text } })
          case 3:
            return event({ postback: { mid: `m_pb${serial}`, title: 'Start', payload: 'GET_STARTED' } })
          case 4:
            return event({ delivery: { mids: [MID_PLACEHOLDER], watermark: at } })
          case 5:
            return event({ read: { watermark: at } })
          case 6:
            return event({
              referral: {
                ref: 'summer',
                source: serial % 2 === 0 ? 'ADS' : 'SHORTLINK',
                type: 'OPEN_THREAD',
              },
            })
          case 7:
            return event({
              optin: { type: 'notification_messages', payload: 'x', notification_messages_token: 't' },
            })
          case 8:
            return event({ message: { mid: `m_echo${serial}`, is_echo: true, text, app_id: 1 } })
          case 9:
            return event({
              reaction: { mid: MID_PLACEHOLDER, action: 'react', reaction: 'love', emoji: '❤' },
            })
          default:
            return {
              object: 'page',
              entry: [
                {
                  id: pageId,
                  time: at,
                  standby: [
                    {
                      sender: { id: user },
                      recipient: { id: pageId },
                      timestamp: at,
                      message: { mid: `m_sb${serial}`, text },
                    },
                  ],
                },
              ],
            }
        }
      })()
      return { channel, body }
    })

/** `POST /v1/sandbox/{id}/inbound`. */
export const sandboxInboundBody: fc.Arbitrary<FuzzJson> = fc
  .record(
    {
      from: whatsappContact,
      text: words,
      referral: fc.constantFrom('ad', 'post'),
      at: isoInstant,
    },
    { requiredKeys: ['from'] },
  )
  .map((body) => body as FuzzJson)

/** `POST /v1/sandbox/{id}/status`: message ids are mostly unknown (404), or not the tenant's. */
export const sandboxStatusBody: fc.Arbitrary<FuzzJson> = fc
  .record(
    {
      message_id: fc.constantFrom('msg_missing', 'msg_', 'wamid.HBgL', ''),
      status: fc.constantFrom('sent', 'delivered', 'read', 'failed'),
      pricing: fc.record(
        {
          pricing_model: fc.constantFrom('PMP', 'CBP', 'NONE'),
          category: fc.constantFrom('marketing', 'utility', 'service', 'Marketing!'),
          billable: fc.boolean(),
          type: fc.constantFrom('regular', 'free_customer_service', 'free_entry_point'),
        },
        { requiredKeys: ['pricing_model', 'category', 'billable'] },
      ),
    },
    { requiredKeys: ['message_id'] },
  )
  .map((body) => body as FuzzJson)

const consentScope = fc.constantFrom('all', 'marketing', 'utility', 'authentication')

/** `POST …/consent` (an opt-in). */
export const optInBody: fc.Arbitrary<FuzzJson> = fc
  .record(
    {
      scope: consentScope,
      source: fc.constantFrom('website_form', 'qr_code', 'keyword', 'api', 'import'),
      evidence: fc.constantFrom('Checkbox "Send me updates", form v3', 'signed paper form'),
      actor: fc.constantFrom('agent:maria', 'import-job'),
      at: isoInstant,
    },
    { requiredKeys: ['scope', 'source'] },
  )
  .map((body) => body as FuzzJson)

/** `DELETE …/consent` (an opt-out): any of the opt-in's fields, all optional. */
export const optOutBody: fc.Arbitrary<FuzzJson> = fc
  .record(
    { scope: consentScope, source: fc.constantFrom('api', 'keyword'), at: isoInstant },
    { requiredKeys: [] },
  )
  .map((body) => body as FuzzJson)

export const templateName = fc.constantFrom(
  'order_confirmation',
  'ticket_update',
  'autumn_sale',
  'fuzz_notice',
  'fuzz_offer',
)
export const templateLanguage = fc.constantFrom('en', 'en_US', 'pt_BR', 'nl')

/** A template definition (`POST`/`PUT …/templates`). */
export const templateDefinition: fc.Arbitrary<FuzzJson> = fc
  .tuple(
    templateName,
    templateLanguage,
    fc.nat(5),
    fc.constantFrom('UTILITY', 'MARKETING', 'AUTHENTICATION', 'utility'),
  )
  .map(([name, language, kind, category]): FuzzJson => {
    const base = { name, language, category }
    switch (kind) {
      case 0:
        return { ...base, body: 'Your order {{1}} ships on {{2}}.' }
      case 1:
        return {
          ...base,
          issue_resolution: true,
          status: 'APPROVED',
          body: 'We have updates regarding your ticket {{ticket_id}}.',
        }
      case 2:
        return {
          ...base,
          header: { format: 'TEXT', text: 'Hello {{1}}' },
          body: 'Body {{1}}',
          footer: 'Reply STOP to opt out',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Yes' },
            { type: 'URL', text: 'Track', url: 'https://example.com/{{1}}' },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+15550783881' },
          ],
        }
      case 3:
        return {
          ...base,
          status: 'PAUSED',
          body: 'Plain text',
          category_changes: [{ at: '2025-01-01T00:00:00Z', previous: 'UTILITY' }],
        }
      case 4:
        return {
          ...base,
          header: { format: 'IMAGE' },
          body: 'See the picture',
          buttons: [{ type: 'COPY_CODE' }],
        }
      default:
        return { ...base, status: 'REJECTED', body: 'Hi {{first_name}}, your code is {{code}}' }
    }
  })

/** The components of a template in Graph's list: header, body with its example, footer, buttons. */
const GRAPH_COMPONENTS: FuzzJson[] = [
  { type: 'HEADER', format: 'TEXT', text: 'Order update' },
  { type: 'BODY', text: 'Your order {{1}} ships on {{2}}.', example: { body_text: [['A-1', 'Monday']] } },
  { type: 'FOOTER', text: 'Thanks' },
  { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }] },
]

/** Graph's `message_templates` list, as `POST …/templates/import` takes it. */
export const graphTemplateList: fc.Arbitrary<FuzzJson> = fc
  .array(fc.tuple(templateName, templateLanguage, fc.constantFrom('APPROVED', 'PAUSED', 'PENDING')), {
    minLength: 0,
    maxLength: 3,
  })
  .map((entries): FuzzJson => ({
    data: entries.map(([name, language, status]) => ({
      name,
      language,
      status,
      category: 'UTILITY',
      id: '1689556908129832',
      components: GRAPH_COMPONENTS,
    })),
    paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } },
  }))

const caseStatus = fc.constantFrom('open', 'pending', 'resolved')
/** The businesses' own ticket ids. */
export const EXTERNAL_IDS = ['T-1', 'T-2', 'T-3', 'T-42', 'T-1042'] as const
export const externalId = fc.constantFrom(...EXTERNAL_IDS)

/** `POST …/cases`. */
export const caseBody = (contact: fc.Arbitrary<string>): fc.Arbitrary<FuzzJson> =>
  fc
    .record(
      {
        contact_id: contact,
        external_id: externalId,
        subject: fc.constantFrom('Router does not connect', 'Refund'),
        language: templateLanguage,
        parameters: fc.constantFrom<FuzzJson>({ ticket_id: 'T-42' }, { 1: 'x' }, {}),
        status: caseStatus,
      },
      { requiredKeys: ['contact_id'] },
    )
    .map((body) => body as FuzzJson)

/** `PATCH /v1/cases/…`. */
export const casePatch: fc.Arbitrary<FuzzJson> = fc
  .record(
    {
      status: caseStatus,
      subject: fc.constantFrom<FuzzJson>('Still broken', null),
      language: fc.constantFrom<FuzzJson>('nl', null),
      parameters: fc.constantFrom({ ticket_id: 'T-43' }, {}),
      external_id: fc.constantFrom<FuzzJson>(...EXTERNAL_IDS, null),
    },
    { requiredKeys: [] },
  )
  .map((body) => body as FuzzJson)

/** `PUT …/automations`. */
export const automationsBody: fc.Arbitrary<FuzzJson> = fc
  .record(
    {
      window_expiring_lead_minutes: fc.constantFrom(1, 60, 1439),
      keep_alive: fc.record(
        {
          enabled: fc.boolean(),
          lead_minutes: fc.constantFrom(1, 90),
          messages: fc.constantFrom({ en: 'Still on it' }, { nl: 'Nog bezig', en: 'Still on it' }),
          default_language: fc.constantFrom('en', 'nl'),
        },
        { requiredKeys: [] },
      ),
      reengagement: fc.record(
        {
          enabled: fc.boolean(),
          template: fc.constantFrom({ name: 'ticket_update', language: 'en' }, { name: 'missing_template' }),
          min_interval_hours: fc.constantFrom(1, 24, 8760),
          delay_minutes: fc.constantFrom(0, 5),
          default_parameters: fc.constantFrom({}, { ticket_id: 'your request' }),
        },
        { requiredKeys: [] },
      ),
      hold_replies: fc.record(
        { enabled: fc.boolean(), expire_after_hours: fc.constantFrom(1, 72, 720) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((body) => body as FuzzJson)

/** `POST …/decisions`. */
export const decisionBody = (message: fc.Arbitrary<FuzzJson>): fc.Arbitrary<FuzzJson> =>
  fc
    .tuple(message, fc.option(isoInstant, { freq: 4 }), fc.option(fc.constantFrom('agent', 'bot')))
    // Mostly about now: a contact's window is known from its latest event on, so most instants before are refused.
    .map(([body, at, sender]): FuzzJson => ({
      message: body,
      ...(at === null ? {} : { at }),
      ...(sender === null ? {} : { sender }),
    }))
