import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_AUTOMATIONS } from '../../src/config/automations.js'
import {
  ACME_CLOUD_NUMBER,
  ACME_KEY,
  ACME_NUMBER,
  ACME_PAGE,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  HOLD_EXPIRY_HOURS,
  HOUR,
  INITECH_KEY,
  INITECH_NUMBER,
  openFixture,
  T0,
  type NativeApiFixture,
  type Reply,
} from './native-api-fixture.js'

const SANNE = '31612345678'
const PSID = '7012345678901234'
const DAY = 24 * HOUR

const automationsOf = (channel: string = ACME_NUMBER) => `/v1/channels/${channel}/automations`
const textTo = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Hi!' } })

/** The error details of Graph's envelope. */
function details(reply: Reply): string {
  return (reply.body as { error: { error_data: { details: string } } }).error.error_data.details
}

/** Keep-alive reminders 90 minutes ahead in two languages, re-engagement a quarter of an hour after the close. */
const CUSTOM = {
  window_expiring_lead_minutes: 30,
  keep_alive: {
    enabled: true,
    lead_minutes: 90,
    messages: { en: 'Reply to keep this chat open.', pt_BR: 'Responda para manter esta conversa aberta.' },
    default_language: 'pt_BR',
  },
  reengagement: {
    enabled: true,
    template: { name: 'ticket_update', language: 'en' },
    min_interval_hours: 48,
    delay_minutes: 15,
    default_parameters: { ticket_id: 'your request' },
  },
  hold_replies: { enabled: true, expire_after_hours: 24 },
}

describe('a channel’s automations under /v1', () => {
  let fixture: NativeApiFixture
  beforeEach(async () => {
    fixture = await openFixture('sqlite')
  })
  afterEach(async () => {
    await fixture.close()
  })

  async function read(channel?: string): Promise<unknown> {
    const reply = await fixture.call('GET', automationsOf(channel))
    expect(reply.status).toBe(200)
    return reply.body
  }

  async function replace(body: unknown, channel?: string): Promise<unknown> {
    const reply = await fixture.call('PUT', automationsOf(channel), { body })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    return reply.body
  }

  /** A request with a body exactly as given (any JSON, or none), as Acme. */
  async function rawPut(payload?: string): Promise<Reply> {
    const response = await fixture.app.inject({
      method: 'PUT',
      url: automationsOf(),
      headers: {
        authorization: `Bearer ${ACME_KEY}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload }),
    })
    return {
      status: response.statusCode,
      body: JSON.parse(response.body) as unknown,
      headers: response.headers,
    }
  }

  describe('GET', () => {
    it('answers a channel without automations in its configuration with every default filled in', async () => {
      const automations = await read()
      expect(automations).toEqual(DEFAULT_AUTOMATIONS)
      expect(automations).toMatchObject({
        window_expiring_lead_minutes: 60,
        keep_alive: { enabled: false, lead_minutes: 60, default_language: 'en' },
        reengagement: { enabled: false, template: { name: 'ticket_update', language: 'en' } },
        hold_replies: { enabled: false, expire_after_hours: 72 },
      })
    })

    it('answers the automations of the channel’s configuration, defaults filled in around them', async () => {
      const reply = await fixture.call('GET', automationsOf(INITECH_NUMBER), { key: INITECH_KEY })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        ...DEFAULT_AUTOMATIONS,
        hold_replies: { enabled: true, expire_after_hours: HOLD_EXPIRY_HOURS },
      })
    })
  })

  describe('PUT', () => {
    it('stores them, answers them, and the next GET shows the same', async () => {
      expect(await replace(CUSTOM)).toEqual(CUSTOM)
      expect(await read()).toEqual(CUSTOM)
      // In the database, not only in a cache.
      expect((await fixture.gateway.store.findChannel('whatsapp', ACME_NUMBER))?.automations).toEqual(CUSTOM)
    })

    it('replaces them as a whole: what a PUT leaves out takes its default, not the previous value', async () => {
      await replace(CUSTOM)
      const partial = await replace({ keep_alive: { enabled: true } })
      expect(partial).toEqual({
        ...DEFAULT_AUTOMATIONS,
        keep_alive: { ...DEFAULT_AUTOMATIONS.keep_alive, enabled: true },
      })
      expect(await read()).toEqual(partial)
      expect(await replace({})).toEqual(DEFAULT_AUTOMATIONS)
      expect(await read()).toEqual(DEFAULT_AUTOMATIONS)
    })

    it('takes back what a GET answered unchanged', async () => {
      await replace(CUSTOM)
      const current = await read()
      expect(await replace(current)).toEqual(current)
    })

    it('changes only this channel’s automations and nothing else of it', async () => {
      const channelBefore = await fixture.gateway.store.findChannel('whatsapp', ACME_NUMBER)
      const templatesBefore = await fixture.call('GET', `/v1/channels/${ACME_NUMBER}/templates`)
      fixture.advance(HOUR)
      await replace(CUSTOM)

      expect(await fixture.gateway.store.findChannel('whatsapp', ACME_NUMBER)).toEqual({
        ...channelBefore,
        automations: CUSTOM,
        updatedAt: T0 + HOUR,
      })
      expect((await fixture.call('GET', `/v1/channels/${ACME_NUMBER}/templates`)).body).toEqual(
        templatesBefore.body,
      )
      expect(await read(ACME_CLOUD_NUMBER)).toEqual(DEFAULT_AUTOMATIONS)
      expect(await read(ACME_PAGE)).toEqual(DEFAULT_AUTOMATIONS)
      expect((await fixture.call('GET', automationsOf(GLOBEX_NUMBER), { key: GLOBEX_KEY })).body).toEqual(
        DEFAULT_AUTOMATIONS,
      )
    })

    it('takes effect in the very next send: held replies switched on, then off again', async () => {
      await fixture.customerWrites(SANNE)
      fixture.advance(DAY + HOUR)
      const send = () => fixture.call('POST', `/v21.0/${ACME_NUMBER}/messages`, { body: textTo(SANNE) })

      expect((await send()).status).toBe(400)
      await replace({ hold_replies: { enabled: true } })
      const held = await send()
      expect(held.status).toBe(202)
      expect(held.body).toMatchObject({
        held: { status: 'held', expires_at: new Date(fixture.now() + 72 * HOUR).toISOString() },
      })

      await replace({ hold_replies: { enabled: false } })
      const refused = await send()
      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({ error: { code: 131047 } })
      expect(await fixture.countRows('held_messages')).toBe(1)
    })

    it.each<[string, unknown, string]>([
      [
        'a lead time of 0 minutes',
        { window_expiring_lead_minutes: 0 },
        'window_expiring_lead_minutes: Too small: expected number to be >=1',
      ],
      [
        'a lead time of a whole day',
        { window_expiring_lead_minutes: 1440 },
        'window_expiring_lead_minutes: Too big: expected number to be <=1439',
      ],
      [
        'a lead time that is a string',
        { window_expiring_lead_minutes: '60' },
        'window_expiring_lead_minutes: Invalid input: expected number, received string',
      ],
      [
        'a keep-alive lead time that is not whole',
        { keep_alive: { lead_minutes: 1.5 } },
        'keep_alive.lead_minutes: Invalid input: expected int',
      ],
      [
        'a switch that is not a boolean',
        { keep_alive: { enabled: 'yes' } },
        'keep_alive.enabled: Invalid input',
      ],
      [
        'a message for something that is not a language code',
        { keep_alive: { messages: { english: 'Reply, please.' } } },
        // The field is named; zod's own words for a bad record key.
        'keep_alive.messages.english: Invalid key in record',
      ],
      ['an empty message', { keep_alive: { messages: { en: '' } } }, 'keep_alive.messages.en: Too small'],
      [
        'a message of 4097 characters',
        { keep_alive: { messages: { en: 'x'.repeat(4097) } } },
        'keep_alive.messages.en: Too big',
      ],
      [
        'a default language that is not a code',
        { keep_alive: { default_language: 'English' } },
        'keep_alive.default_language: a language code',
      ],
      [
        'a template without a name',
        { reengagement: { template: { name: '' } } },
        'reengagement.template.name: Too small',
      ],
      [
        'an interval under an hour',
        { reengagement: { min_interval_hours: 0.5 } },
        'reengagement.min_interval_hours: Too small',
      ],
      ['a negative delay', { reengagement: { delay_minutes: -1 } }, 'reengagement.delay_minutes: Too small'],
      [
        'default parameters that are not strings',
        { reengagement: { default_parameters: { ticket_id: 7 } } },
        'reengagement.default_parameters.ticket_id: Invalid input',
      ],
      [
        'holds kept over 30 days',
        { hold_replies: { expire_after_hours: 721 } },
        'hold_replies.expire_after_hours: Too big',
      ],
      ['a section that is not an object', { hold_replies: true }, 'hold_replies: Invalid input'],
      ['an unknown section', { auto_reply: { enabled: true } }, 'Unrecognized key: "auto_reply"'],
      [
        'an unknown field in a section',
        { hold_replies: { max: 3 } },
        'hold_replies: Unrecognized key: "max"',
      ],
      ['a body that is a list', [CUSTOM], 'expected object'],
      ['a body that is null', null, 'send the automations as a JSON body'],
    ])(
      'refuses %s with a 400 naming the field, and keeps the stored automations',
      async (_case, body, message) => {
        await replace(CUSTOM)
        const reply = await rawPut(JSON.stringify(body))
        expect(reply.status).toBe(400)
        expect(details(reply)).toContain(message)
        expect(await read()).toEqual(CUSTOM)
      },
    )

    it('refuses a PUT with a valid section next to a wrong one as a whole', async () => {
      const reply = await fixture.call('PUT', automationsOf(), {
        body: { keep_alive: { enabled: true }, hold_replies: { enabled: true, expire_after_hours: 0 } },
      })
      expect(reply.status).toBe(400)
      expect(details(reply)).toContain('hold_replies.expire_after_hours')
      expect(await read()).toEqual(DEFAULT_AUTOMATIONS)
    })

    it('refuses a PUT without a body, or with one that is not JSON', async () => {
      for (const payload of [undefined, '{"keep_alive": ']) {
        const reply = await rawPut(payload)
        expect(reply.status).toBe(400)
      }
      expect(await read()).toEqual(DEFAULT_AUTOMATIONS)
    })
  })

  describe('on a Messenger Page', () => {
    it('stores every section, as for a number', async () => {
      expect(await read(ACME_PAGE)).toEqual(DEFAULT_AUTOMATIONS)
      expect(await replace(CUSTOM, ACME_PAGE)).toEqual(CUSTOM)
      expect(await read(ACME_PAGE)).toEqual(CUSTOM)
    })

    it('holds no reply even with held replies on: they are WhatsApp’s, the send is refused as before', async () => {
      await replace({ hold_replies: { enabled: true } }, ACME_PAGE)
      await fixture.pageUserWrites(PSID, T0)
      fixture.advance(DAY + HOUR)
      const reply = await fixture.call('POST', `/v21.0/${ACME_PAGE}/messages`, {
        body: { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Hello?' } },
      })
      expect(reply.status).toBe(400)
      expect(reply.body).toMatchObject({ error: { code: 10 } })
      expect(await fixture.countRows('held_messages')).toBe(0)
    })
  })

  describe('the OpenAPI document', () => {
    it('documents GET and PUT with a summary, the body and their error responses', async () => {
      const reply = await fixture.app.inject({ method: 'GET', url: '/docs/json' })
      const operations = (
        JSON.parse(reply.body) as {
          paths: Record<
            string,
            Record<string, { summary?: string; requestBody?: unknown; responses?: object }>
          >
        }
      ).paths['/v1/channels/{channelId}/automations']
      expect(operations?.get?.summary).toEqual(expect.any(String))
      expect(Object.keys(operations?.get?.responses ?? {}).sort()).toEqual(['200', '401', '404', '503'])
      expect(operations?.put?.summary).toEqual(expect.any(String))
      expect(operations?.put?.requestBody).toBeDefined()
      expect(Object.keys(operations?.put?.responses ?? {}).sort()).toEqual([
        '200',
        '400',
        '401',
        '403',
        '404',
        '413',
        '415',
        '503',
      ])
    })
  })

  describe('tenancy', () => {
    it('answers another tenant’s channel with 404, and changes nothing on it', async () => {
      for (const method of ['GET', 'PUT'] as const) {
        const reply = await fixture.call(method, automationsOf(ACME_NUMBER), {
          key: GLOBEX_KEY,
          body: CUSTOM,
        })
        expect(reply.status).toBe(404)
        expect(details(reply)).toContain(`there is no channel '${ACME_NUMBER}'`)
      }
      expect(await read()).toEqual(DEFAULT_AUTOMATIONS)
    })

    it.each(['GET', 'PUT'] as const)('answers %s without a valid API key with 401', async (method) => {
      for (const key of [null, 'cw_not_a_key_of_anyone_0000']) {
        const reply = await fixture.call(method, automationsOf(), { key, body: CUSTOM })
        expect(reply.status).toBe(401)
        expect(reply.body).toMatchObject({ error: { code: 190, type: 'OAuthException' } })
      }
      expect(await read()).toEqual(DEFAULT_AUTOMATIONS)
    })
  })
})
