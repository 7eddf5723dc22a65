import {
  ACME_NUMBER,
  ACME_PAGE,
  GLOBEX_KEY,
  GLOBEX_NUMBER,
  HOUR,
  type NativeApiFixture,
} from './native-api-fixture.js'

/**
 * A fortnight of Acme's traffic (and a little of Globex's) for the message search and the cost report: replies in
 * the window (free), marketing templates (priced), a utility template in the window (free), refusals, a Messenger
 * conversation (unpriced), several sends in the same millisecond, and Meta's pricing for one message.
 */

export const DAY = 24 * HOUR
export const ANA = '31612345678'
export const BEN = '31687654321'
export const CAS = '4915123456789'
export const DIRK = '31611111111'
export const PSID = '7000000000000001'

export const textTo = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'text',
  text: { body: 'Hi!' },
})
export const springSaleTo = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: {
    name: 'spring_sale',
    language: { code: 'en' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: '20%' }] }],
  },
})
const orderUpdateTo = (to: string) => ({
  messaging_product: 'whatsapp',
  to,
  type: 'template',
  template: {
    name: 'order_update',
    language: { code: 'en' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-7' }] }],
  },
})

/** What the traffic left: the message ids Acme's sends were given, and the one Meta priced. */
export interface Traffic {
  readonly sent: readonly string[]
  readonly metaPriced: string
}

export async function playTraffic(fixture: NativeApiFixture): Promise<Traffic> {
  const sent: string[] = []
  const send = async (body: object, channel = ACME_NUMBER, key?: string) => {
    const reply = await fixture.call('POST', `/v21.0/${channel}/messages`, {
      body,
      ...(key === undefined ? {} : { key }),
    })
    const id = reply.headers['x-carewindow-message-id']
    if (typeof id !== 'string') throw new Error(`the send was not decided: ${JSON.stringify(reply.body)}`)
    if (key === undefined) sent.push(id)
    return reply
  }
  // Day 1 (Monday 1 September 2025): three customers write; three replies go out in the same millisecond.
  for (const contact of [ANA, BEN, CAS]) await fixture.customerWrites(contact)
  fixture.advance(HOUR)
  const reply = await send(textTo(ANA))
  await send(textTo(BEN))
  await send(textTo(CAS))
  await send(springSaleTo(ANA))
  await send(orderUpdateTo(BEN))
  await send(textTo(DIRK))
  await fixture.pageUserWrites(PSID, fixture.now())
  await send({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Hello' } }, ACME_PAGE)
  const wamid = (reply.body as { messages: { id: string }[] }).messages[0]?.id ?? ''
  await fixture.metaReportsStatus(wamid, ANA, 'delivered', {
    billable: false,
    pricing_model: 'PMP',
    category: 'service',
    type: 'free_customer_service',
  })
  // Day 2: the windows have closed; Ana opted in, so her marketing template goes out; replies are refused.
  fixture.advance(DAY + 2 * HOUR)
  await fixture.call('POST', `/v1/channels/${ACME_NUMBER}/contacts/${ANA}/consent`, {
    body: { scope: 'marketing', source: 'website_form' },
  })
  await send(springSaleTo(ANA))
  await send(textTo(BEN))
  // A week later (the next ISO week), Cas writes again and is answered, and sent a marketing template.
  fixture.advance(7 * DAY)
  await fixture.customerWrites(CAS)
  await send(textTo(CAS))
  await send(springSaleTo(CAS))
  // Globex's traffic, which Acme never sees.
  await fixture.call('POST', `/v1/sandbox/${GLOBEX_NUMBER}/inbound`, {
    key: GLOBEX_KEY,
    body: { from: ANA, text: 'Hi', at: new Date(fixture.now()).toISOString() },
  })
  await send(textTo(ANA), GLOBEX_NUMBER, GLOBEX_KEY)
  await send(springSaleTo(ANA), GLOBEX_NUMBER, GLOBEX_KEY)
  return { sent, metaPriced: sent[0] ?? '' }
}

/** Every page of a search, followed to its end. */
export async function everyPage(
  fixture: NativeApiFixture,
  query: string,
): Promise<Record<string, unknown>[][]> {
  const pages: Record<string, unknown>[][] = []
  let cursor: string | null = null
  do {
    const reply = await fixture.call(
      'GET',
      `/v1/messages?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    )
    if (reply.status !== 200)
      throw new Error(`search answered ${reply.status}: ${JSON.stringify(reply.body)}`)
    const body = reply.body as { data: Record<string, unknown>[]; paging: { next_cursor: string | null } }
    pages.push(body.data)
    cursor = body.paging.next_cursor
  } while (cursor !== null)
  return pages
}
