import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { createLogger } from '../../src/shared/logging.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { FakeGraph } from '../support/fake-graph.js'
import {
  APP_SECRET,
  channelOf,
  Cleanup,
  createE2eDatabase,
  PHONE_NUMBER_ID,
  POSTMAN_PHONE_NUMBER_ID,
  postWebhook,
  TEMPLATES,
  testConfigFile,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { TEMPLATE_PAUSED } from './fixtures/meta-examples.js'

/** The WhatsApp Business Account of Meta's template example (its `entry[].id`). */
const EXAMPLE_WABA_ID = '102290129340398'
const ANOTHER_WABA_ID = '200000000000001'

/**
 * Template status updates name a WhatsApp Business Account, not a phone number. Two numbers of one Meta app that
 * belong to different accounts may each have a template of the same name; with `waba_id` configured, an update
 * changes only its own account's numbers.
 */
describe('template status updates by WhatsApp Business Account', { timeout: 60_000 }, () => {
  const cleanup = new Cleanup()
  let server: RunningServer
  let start: () => Promise<RunningServer>

  beforeAll(async () => {
    const database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    const graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    const file = testConfigFile({ databaseUrl: database.url, graphUrl: graph.url })
    const [acme, ...others] = file.tenants as { channels: Record<string, unknown>[] }[]
    const [main, postman] = acme?.channels ?? []
    const tenants = [
      {
        ...acme,
        channels: [
          { ...main, waba_id: EXAMPLE_WABA_ID },
          { ...postman, waba_id: ANOTHER_WABA_ID, templates: TEMPLATES },
        ],
      },
      ...others,
    ]
    start = () =>
      startServer({ config: resolveConfig({ ...file, tenants }, {}, null), logger: createLogger('silent') })
    server = await start()
    cleanup.add(() => server.close())
  })

  afterAll(() => cleanup.run())

  const statusOf = async (phoneNumberId: string): Promise<string | undefined> => {
    const channel = await channelOf(server, phoneNumberId)
    return (await server.gateway.store.getTemplate(channel.id, 'order_confirmation', 'en_US'))?.status
  }

  it('pauses the template on the account’s own number and leaves the other account’s number alone', async () => {
    expect(await statusOf(PHONE_NUMBER_ID)).toBe('APPROVED')
    expect(await statusOf(POSTMAN_PHONE_NUMBER_ID)).toBe('APPROVED')

    const answer = await postWebhook(server.url, TEMPLATE_PAUSED, { secret: APP_SECRET })
    expect(answer.status).toBe(200)
    await server.gateway.inbox.drain()

    await waitFor(
      'the example account’s template paused',
      async () => (await statusOf(PHONE_NUMBER_ID)) === 'PAUSED',
    )
    expect(await statusOf(POSTMAN_PHONE_NUMBER_ID)).toBe('APPROVED')
  })

  it('keeps Meta’s verdict over a restart: the config declares the template, Meta decides its status', async () => {
    await server.close()
    server = await start()

    expect(await statusOf(PHONE_NUMBER_ID)).toBe('PAUSED')
    expect(await statusOf(POSTMAN_PHONE_NUMBER_ID)).toBe('APPROVED')
  })
})
