import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WhatsAppAPI } from 'whatsapp-api-js'
import { BodyComponent, BodyParameter, Language, Template } from 'whatsapp-api-js/messages'
import { carewindow } from '../support/run-cli.js'
import { resolveConfig } from '../../src/config/config.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createLogger } from '../../src/shared/logging.js'
import { FakeGraph } from '../support/fake-graph.js'
import { FakeGraphTemplates } from '../support/fake-graph-templates.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  createE2eDatabase,
  PHONE_NUMBER_ID,
  POSTMAN_PHONE_NUMBER_ID,
  postWebhook,
  TEMPLATES,
  testConfigFile,
  TestClock,
  VERIFY_TOKEN,
  type E2eDatabase,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { INBOUND_TEXT } from './fixtures/meta-examples.js'

const WABA_ID = '102290129340398'
const CUSTOMER = '16505551234'
const INBOUND_AT = 1_749_416_383_000

/** Meta's `message_template_status_update` for a template of the account (its shape as in Meta's example). */
function statusUpdate(name: string, language: string, event: string): string {
  const value = {
    event,
    message_template_id: 1,
    message_template_name: name,
    message_template_language: language,
    reason: 'NONE',
  }
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      { id: WABA_ID, time: 1_751_247_548, changes: [{ value, field: 'message_template_status_update' }] },
    ],
  })
}

/** A send of the template created in the test, as whatsapp-api-js builds it. */
function parcelUpdate(): Template {
  return new Template('parcel_update', new Language('en'), new BodyComponent(new BodyParameter('ORD-42')))
}

/** A body-only template as Graph lists it. */
function onMeta(name: string, status: string, body = `An update on {{1}} (${name}).`, language = 'en') {
  return { name, language, status, category: 'UTILITY', components: [{ type: 'BODY', text: body }] }
}

/**
 * The template registry kept in sync with Meta: at start, on `POST /v1/channels/{id}/templates/sync`, with
 * `carewindow templates sync`, and after a status webhook about a template carewindow does not know — each time
 * reading the fake Graph's `message_templates` with the channel's token. The business drives carewindow with
 * whatsapp-api-js, as in graph-passthrough.test.ts.
 */
describe.each(['sqlite', 'postgres'] as const)(
  'templates kept in sync with Meta (%s)',
  { timeout: 120_000 },
  (dialect) => {
    const cleanup = new Cleanup()
    const clock = new TestClock()
    let database: E2eDatabase
    let templates: FakeGraphTemplates
    let server: RunningServer
    let acme: WhatsAppAPI
    let cliConfig: string

    beforeAll(async () => {
      clock.setTo(INBOUND_AT + 60_000)
      database = await createE2eDatabase(dialect)
      cleanup.add(() => database.destroy())
      const graph = await FakeGraph.start()
      cleanup.add(() => graph.close())
      templates = new FakeGraphTemplates(graph)
      templates.pageSize = 2
      // Meta has the config's templates, and one the business made in WhatsApp Manager.
      for (const template of TEMPLATES)
        templates.add(WABA_ID, onMeta(template.name, 'APPROVED', template.body, template.language))
      templates.add(WABA_ID, onMeta('made_in_manager', 'APPROVED'))
      const file = testConfigFile({ databaseUrl: database.url, graphUrl: graph.url })
      const [acmeTenant, ...others] = file.tenants as { channels: Record<string, unknown>[] }[]
      const [main, postman] = acmeTenant?.channels ?? []
      const tenants = [{ ...acmeTenant, channels: [{ ...main, waba_id: WABA_ID }, postman] }, ...others]
      server = await startServer({
        config: resolveConfig({ ...file, tenants }, {}, null),
        logger: createLogger('silent'),
        clock: clock.now,
      })
      cleanup.add(() => server.close())
      cliConfig = join(tmpdir(), `carewindow-template-sync-${dialect}-${process.pid}.json`)
      await writeFile(cliConfig, JSON.stringify({ database: { url: database.url } }))
      cleanup.add(() => rm(cliConfig, { force: true }))
      acme = new WhatsAppAPI({
        token: API_KEY,
        appSecret: APP_SECRET,
        webhookVerifyToken: VERIFY_TOKEN,
        v: 'v21.0',
        ponyfill: {
          fetch: (input, init) =>
            fetch(
              (input instanceof Request ? input.url : String(input)).replace(
                'https://graph.facebook.com',
                server.url,
              ),
              init,
            ),
          subtle: crypto.subtle,
        },
      })
    })

    afterAll(() => cleanup.run())

    const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: response.status, json: (await response.json()) as Record<string, unknown> }
    }
    const listed = async (): Promise<Record<string, { status: string }>> => {
      const { json } = await api('GET', `/v1/channels/${PHONE_NUMBER_ID}/templates`)
      const data = json.data as { name: string; language: string; status: string }[]
      return Object.fromEntries(data.map((template) => [`${template.name}/${template.language}`, template]))
    }
    it('reads the account’s templates at start: one made in WhatsApp Manager shows up in GET /v1/…/templates', async () => {
      const template = await waitFor('the start’s sync', async () => (await listed())['made_in_manager/en'])

      expect(template.status).toBe('APPROVED')
      expect(
        templates.calls.every((call) => call.authorization === 'Bearer EAAGacmeChannelSystemUserToken'),
      ).toBe(true)
    })

    it('adds a template created through carewindow on the fake Graph after POST /v1/channels/{id}/templates/sync, and sends it', async () => {
      const created = await api(
        'POST',
        `/v21.0/${WABA_ID}/message_templates`,
        onMeta('parcel_update', 'ignored'),
      )
      expect(created.json).toMatchObject({ status: 'PENDING' })
      templates.setStatus(WABA_ID, 'parcel_update', 'en', 'APPROVED')

      const synced = await api('POST', `/v1/channels/${PHONE_NUMBER_ID}/templates/sync`)

      expect(synced).toMatchObject({
        status: 200,
        json: { waba_id: WABA_ID, added: 1, removed: 0, pages: 3 },
      })
      expect((await listed())['parcel_update/en']).toMatchObject({ status: 'APPROVED', category: 'UTILITY' })
      await postWebhook(server.url, INBOUND_TEXT, { secret: APP_SECRET })
      await server.gateway.inbox.drain()
      const sent = await acme.sendMessage(PHONE_NUMBER_ID, CUSTOMER, parcelUpdate())
      expect(sent).toMatchObject({ messages: [{ id: expect.stringMatching(/^wamid\./) as string }] })
    })

    it('adds a template after `carewindow templates sync --channel`, printing what changed', async () => {
      templates.add(WABA_ID, onMeta('cli_notice', 'PENDING'))

      const run = await carewindow('templates', 'sync', '--channel', PHONE_NUMBER_ID, '--config', cliConfig)

      expect(run).toMatchObject({ code: 0, stderr: '' })
      expect(run.stdout).toBe(
        `${PHONE_NUMBER_ID} (WABA ${WABA_ID}): 1 added, 0 updated, 5 unchanged, 0 marked deleted, 0 skipped\n`,
      )
      expect((await listed())['cli_notice/en']).toMatchObject({ status: 'PENDING' })
    })

    it('syncs the account after a status webhook about a template carewindow does not know', async () => {
      templates.add(WABA_ID, onMeta('webhook_notice', 'APPROVED'))

      const answer = await postWebhook(server.url, statusUpdate('webhook_notice', 'en', 'APPROVED'), {
        secret: APP_SECRET,
      })

      expect(answer.status).toBe(200)
      const template = await waitFor('the webhook’s sync', async () => (await listed())['webhook_notice/en'])
      expect(template.status).toBe('APPROVED')
    })

    it('marks a template Meta deleted DELETED, and refuses to send it with 132001', async () => {
      templates.remove(WABA_ID, 'parcel_update')
      await postWebhook(server.url, statusUpdate('parcel_update', 'en', 'DELETED'), { secret: APP_SECRET })
      await server.gateway.inbox.drain()

      expect((await listed())['parcel_update/en']).toMatchObject({ status: 'DELETED' })
      const refused = await acme.sendMessage(PHONE_NUMBER_ID, CUSTOMER, parcelUpdate())
      expect(refused).toMatchObject({ error: { code: 132001 } })
      expect(await api('POST', `/v1/channels/${PHONE_NUMBER_ID}/templates/sync`)).toMatchObject({
        json: { added: 0, updated: 0, removed: 0 },
      })
    })

    it('changes nothing when a page of the list fails, answering 502 with the reason', async () => {
      const before = await listed()
      templates.remove(WABA_ID, 'cli_notice')
      templates.failListCall(2)

      const failed = await api('POST', `/v1/channels/${PHONE_NUMBER_ID}/templates/sync`)

      expect(failed.status).toBe(502)
      expect(failed.json).toMatchObject({
        error: { code: 2, error_data: { details: expect.stringContaining('page 2 of') as string } },
      })
      expect(await listed()).toEqual(before)
    })

    it('answers a sync of a number without a waba_id with 409, saying how to set one', async () => {
      const answer = await api('POST', `/v1/channels/${POSTMAN_PHONE_NUMBER_ID}/templates/sync`)

      expect(answer.status).toBe(409)
      expect(JSON.stringify(answer.json)).toContain('--waba-id')
    })
  },
)
