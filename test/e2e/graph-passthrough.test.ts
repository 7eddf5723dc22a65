import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WhatsAppAPI } from 'whatsapp-api-js'
import { Image } from 'whatsapp-api-js/messages'
import type { RunningServer } from '../../src/server.js'
import type { FakeGraph } from '../support/fake-graph.js'
import { FakeGraphMedia } from '../support/fake-graph-media.js'
import { FakeGraphTemplates } from '../support/fake-graph-templates.js'
import {
  API_KEY,
  APP_SECRET,
  CHANNEL_ACCESS_TOKEN,
  channelOf,
  Cleanup,
  OTHER_API_KEY,
  PHONE_NUMBER_ID,
  postWebhook,
  startE2eStack,
  TestClock,
  VERIFY_TOKEN,
} from '../support/test-gateway.js'
import { INBOUND_TEXT } from './fixtures/meta-examples.js'

const CUSTOMER = '16505551234'
const INBOUND_AT = 1_749_416_383_000
const WABA_ID = '102290129340398'
const MB = 1024 * 1024

/** A business's unchanged whatsapp-api-js, its Graph calls sent to carewindow (the library has no base-URL option). */
function whatsappClient(serverUrl: string, key: string): WhatsAppAPI {
  const rewritingFetch: typeof fetch = (input, init) => {
    const original = input instanceof Request ? input.url : String(input)
    return fetch(original.replace('https://graph.facebook.com', serverUrl), init)
  }
  return new WhatsAppAPI({
    token: key,
    appSecret: APP_SECRET,
    webhookVerifyToken: VERIFY_TOKEN,
    v: 'v21.0',
    ponyfill: { fetch: rewritingFetch, subtle: crypto.subtle },
  })
}

describe.each(['sqlite', 'postgres'] as const)(
  'the Graph passthrough driven by whatsapp-api-js (%s)',
  { timeout: 120_000 },
  (dialect) => {
    let graph: FakeGraph
    let media: FakeGraphMedia
    let templates: FakeGraphTemplates
    let server: RunningServer
    const cleanup = new Cleanup()
    const clock = new TestClock()
    let acme: WhatsAppAPI
    let globex: WhatsAppAPI
    const photo = Buffer.from('\xff\xd8\xff\xe0 a small jpeg for the passthrough test', 'latin1')
    let mediaId = ''

    beforeAll(async () => {
      clock.setTo(INBOUND_AT + 5 * 60_000)
      ;({ graph, server } = await startE2eStack(dialect, cleanup, { clock: clock.now }))
      media = new FakeGraphMedia(graph)
      templates = new FakeGraphTemplates(graph)
      templates.add(WABA_ID, {
        name: 'order_update',
        language: 'en',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Your order {{1}} has shipped.' }],
      })
      // The WABA id is a channel setting (config file `waba_id`, `carewindow channel add --waba-id`).
      const channel = await channelOf(server, PHONE_NUMBER_ID)
      await server.gateway.store.upsertChannel({ ...channel, wabaId: WABA_ID })
      acme = whatsappClient(server.url, API_KEY)
      globex = whatsappClient(server.url, OTHER_API_KEY)
    })

    afterAll(() => cleanup.run())

    const photoForm = () => {
      const form = new FormData()
      form.append('messaging_product', 'whatsapp')
      form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg')
      return form
    }

    it('uploads a media file: the multipart body reaches Graph with the channel’s token', async () => {
      const uploaded = await acme.uploadMedia(PHONE_NUMBER_ID, photoForm())

      expect(uploaded).toMatchObject({ id: expect.stringMatching(/^\d+$/) as string })
      mediaId = (uploaded as { id: string }).id
      const call = media.calls.at(-1)
      expect(call).toMatchObject({
        method: 'POST',
        path: `/v21.0/${PHONE_NUMBER_ID}/media`,
        authorization: `Bearer ${CHANNEL_ACCESS_TOKEN}`,
        isComplete: true,
      })
      expect(call?.contentType).toMatch(/^multipart\/form-data; boundary=/)
      expect(call?.body.includes(photo)).toBe(true)
      expect(call?.body.toString('latin1')).toContain('name="messaging_product"\r\n\r\nwhatsapp')
    })

    it('sends an image by its media id', async () => {
      await postWebhook(server.url, INBOUND_TEXT, { secret: APP_SECRET })
      await server.gateway.inbox.drain()

      const sent = await acme.sendMessage(PHONE_NUMBER_ID, CUSTOMER, new Image(mediaId, true))

      expect(sent).toMatchObject({ messages: [{ id: expect.stringMatching(/^wamid\./) as string }] })
      const forwarded = graph.accepted.at(-1)
      expect(forwarded?.authorization).toBe(`Bearer ${CHANNEL_ACCESS_TOKEN}`)
      expect(JSON.parse(forwarded?.body.toString('utf8') ?? '{}')).toMatchObject({
        type: 'image',
        image: { id: mediaId },
      })
    })

    it('retrieves the media URL as carewindow’s link, and downloads the file through it', async () => {
      const retrieved = await acme.retrieveMedia(mediaId, PHONE_NUMBER_ID)

      const url = new URL((retrieved as { url: string }).url)
      expect(`${url.protocol}//${url.host}`).toBe(server.url)
      expect(retrieved).toMatchObject({ mime_type: 'image/jpeg', file_size: photo.length, id: mediaId })
      const downloaded = await acme.fetchMedia(url.href)
      expect(downloaded.status).toBe(200)
      expect(Buffer.from(await downloaded.arrayBuffer()).equals(photo)).toBe(true)
      expect(media.calls.at(-1)).toMatchObject({
        path: `/lookaside/${mediaId}`,
        authorization: `Bearer ${CHANNEL_ACCESS_TOKEN}`,
      })
    })

    it('lists the WABA’s templates from Graph with the channel’s token', async () => {
      const answer = await fetch(`${server.url}/v21.0/${WABA_ID}/message_templates?limit=20`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      })

      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({ data: [{ name: 'order_update', status: 'APPROVED' }] })
      expect(templates.calls.at(-1)).toMatchObject({
        path: `/v21.0/${WABA_ID}/message_templates`,
        query: { limit: '20' },
        authorization: `Bearer ${CHANNEL_ACCESS_TOKEN}`,
      })
    })

    it('answers another tenant’s key with 404 for the same calls, and nothing reaches Graph', async () => {
      const callsBefore = media.calls.length
      const templateCallsBefore = templates.calls.length
      const sendsBefore = graph.requests.length

      const answers = [
        await globex.uploadMedia(PHONE_NUMBER_ID, photoForm()),
        await globex.sendMessage(PHONE_NUMBER_ID, CUSTOMER, new Image(mediaId, true)),
        await globex.retrieveMedia(mediaId, PHONE_NUMBER_ID),
        await (
          await fetch(`${server.url}/v21.0/${WABA_ID}/message_templates`, {
            headers: { authorization: `Bearer ${OTHER_API_KEY}` },
          })
        ).json(),
      ]

      for (const answer of answers)
        expect(answer).toMatchObject({
          error: { code: 100, message: expect.stringContaining('(#100)') as string },
        })
      const download = await globex.fetchMedia(
        `${server.url}/media/${mediaId}/download?phone_number_id=${PHONE_NUMBER_ID}`,
      )
      expect(download.status).toBe(404)
      expect(media.calls).toHaveLength(callsBefore)
      expect(templates.calls).toHaveLength(templateCallsBefore)
      expect(graph.requests).toHaveLength(sendsBefore)
    })

    it('streams an upload to Graph as it arrives, and cuts one past 100 MB off with 413', async () => {
      const chunk = Buffer.alloc(MB, 7)
      const rssBefore = process.memoryUsage().rss
      let rssPeak = rssBefore
      let graphBytesMidway = -1
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller: ReadableStreamDefaultController<Uint8Array>) {
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
          if (sent === 60) graphBytesMidway = media.calls.at(-1)?.receivedBytes ?? 0
          if (sent++ === 101) controller.close()
          else controller.enqueue(chunk)
        },
      })

      const answer = await fetch(`${server.url}/v21.0/${PHONE_NUMBER_ID}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/octet-stream' },
        body,
        duplex: 'half',
      })

      expect(answer.status).toBe(413)
      expect(await answer.json()).toMatchObject({ error: { code: 100 } })
      // Graph had bytes of the upload while the client was still sending it: streamed, not buffered first.
      expect(graphBytesMidway).toBeGreaterThan(0)
      const upload = media.calls.at(-1)
      expect(upload?.isComplete).toBe(false)
      expect(upload?.receivedBytes).toBeLessThanOrEqual(100 * MB)
      // Loosely: neither carewindow nor the fake (both in this process) held the 101 MB.
      expect(rssPeak - rssBefore).toBeLessThan(80 * MB)
    })
  },
)
