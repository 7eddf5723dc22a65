import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGraph } from '../support/fake-graph.js'
import { GatewayProcess } from '../support/gateway-process.js'
import {
  dropSchema,
  postgresUrl,
  quoteSchema,
  uniqueSchemaName,
  withPostgresClient,
} from '../support/postgres.js'
import {
  API_KEY,
  APP_SECRET,
  Cleanup,
  PHONE_NUMBER_ID,
  postWebhook,
  WEBHOOK_SECRET,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'
import {
  contactOf,
  counterValue,
  countByType,
  eventsOf,
  DAY_MS,
  expiryOf,
  inboundNotification,
  multiInstanceConfig,
  repeated,
  templateSendsOf,
  type PlannedMessage,
} from './multi-instance-fixture.js'

/** carewindow processes sharing the one PostgreSQL schema. */
const PROCESSES = 3
/** Contacts whose windows all close within a minute of each other. */
const CONTACTS = 10_000
/** Every fifth contact has an open case: exactly those are re-engaged when their window closes. */
const CASE_EVERY = 5
/** Meta batches messages: this many customers' messages per notification. */
const MESSAGES_PER_NOTIFICATION = 5
/** Concurrent HTTP clients posting notifications and cases, spread over the processes in turn. */
const CLIENTS = 16
const EXPIRING_LEAD_MINUTES = 1
/**
 * Room for posting and processing every notification: the first window closes this long plus
 * {@link FIRST_EXPIRY_AFTER_SEEDING_MS} after the first notification is posted. A window closed before its
 * notification was processed would never be announced open, so seeding must end within it.
 */
const SEEDING_BUDGET_MS = 40_000
const FIRST_EXPIRY_AFTER_SEEDING_MS = 20_000
/** The windows close evenly over this span, the contacts' expiries shuffled across the notifications. */
const EXPIRY_SPREAD_MS = 60_000
/** Nothing more arrived for this long after everything due was done: the counts are final. */
const SETTLE_MS = 3_000

const WINDOW_EVENTS = ['window.opened', 'window.expiring', 'window.closed'] as const

describe(`${PROCESSES} carewindow processes on one PostgreSQL database`, { timeout: 240_000 }, () => {
  const cleanup = new Cleanup()
  const schema = uniqueSchemaName()
  let configPath: string
  let graph: FakeGraph
  let receiver: WebhookReceiver

  beforeAll(async () => {
    const directory = await mkdtemp(join(tmpdir(), 'carewindow-multi-'))
    cleanup.add(() => rm(directory, { recursive: true, force: true }))
    await withPostgresClient((client) => client.query(`create schema ${quoteSchema(schema)}`))
    cleanup.add(() => dropSchema(schema))
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    cleanup.add(() => receiver.close())
    const base = postgresUrl()
    configPath = join(directory, 'carewindow.json')
    const config = multiInstanceConfig({
      databaseUrl: `${base}${base.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`,
      graphUrl: graph.url,
      webhookUrl: receiver.url,
      expiringLeadMinutes: EXPIRING_LEAD_MINUTES,
    })
    await writeFile(configPath, JSON.stringify(config, null, 2))
  })

  afterAll(() => cleanup.run())

  /** One row of numbers from the shared schema. */
  const queryRow = (sql: string): Promise<Record<string, number>> =>
    withPostgresClient(async (client) => {
      await client.query(`set search_path to ${quoteSchema(schema)}`)
      const result = await client.query<Record<string, number>>(sql)
      return result.rows[0] ?? {}
    })

  it('delivers every window event once and re-engages every open case once while windows close by the thousand', async () => {
    // The first process migrates the schema; the others find it ready.
    const launchedAt = Date.now()
    const first = await GatewayProcess.start(configPath)
    cleanup.add(() => first.kill())
    const others = await Promise.all(
      Array.from({ length: PROCESSES - 1 }, () => GatewayProcess.start(configPath)),
    )
    for (const other of others) cleanup.add(() => other.kill())
    const processes = [first, ...others]
    const startedAt = Date.now()

    // Seeding, through every process in turn: a case for every fifth contact (created on first sight) and, at
    // the same time, one message from each customer, timestamped so that the windows close evenly over a minute
    // starting FIRST_EXPIRY_AFTER_SEEDING_MS after the seeding budget. window.expiring (1 min ahead) is thus due
    // at once for some of them and later for the rest.
    const seedingStartedAt = Date.now()
    const caseContacts = new Map<string, string>()
    for (let index = 0; index < CONTACTS; index += CASE_EVERY)
      caseContacts.set(contactOf(index), `T-${index}`)
    const caseList = [...caseContacts]
    const firstExpiry = seedingStartedAt + SEEDING_BUDGET_MS + FIRST_EXPIRY_AFTER_SEEDING_MS
    const plan: PlannedMessage[] = Array.from({ length: CONTACTS }, (_, index) => {
      const spreadMs = (((index * 7_919) % CONTACTS) * EXPIRY_SPREAD_MS) / CONTACTS
      return {
        contact: contactOf(index),
        messageId: `wamid.multi-instance-${index}`,
        timestampSeconds: Math.ceil((firstExpiry + spreadMs - DAY_MS) / 1_000),
      }
    })
    const notifications: string[] = []
    for (let start = 0; start < plan.length; start += MESSAGES_PER_NOTIFICATION)
      notifications.push(inboundNotification(plan.slice(start, start + MESSAGES_PER_NOTIFICATION)))
    let casesOpenedAt = 0
    await Promise.all([
      inParallel(caseList.length, async (k) => {
        const [contact, externalId] = caseList[k] as [string, string]
        const response = await fetch(
          `${processes[k % PROCESSES]!.url}/v1/channels/${PHONE_NUMBER_ID}/cases`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ contact_id: contact, external_id: externalId }),
          },
        )
        const text = await response.text()
        if (response.status !== 201) throw new Error(`opening a case answered ${response.status}: ${text}`)
      }).then(() => {
        casesOpenedAt = Date.now()
      }),
      inParallel(notifications.length, async (k) => {
        const answer = await postWebhook(processes[k % PROCESSES]!.url, notifications[k]!, {
          secret: APP_SECRET,
        })
        if (answer.status !== 200) throw new Error(`a notification answered ${answer.status}: ${answer.text}`)
      }),
    ])
    const postedAt = Date.now()
    await waitFor(
      'every notification processed',
      async () => {
        const row = await queryRow(
          'select count(*)::int as stored, count(*) filter (where processed_at is null)::int as unprocessed from webhook_receipts',
        )
        return row.stored === notifications.length && row.unprocessed === 0
      },
      // Past the first expiry the run has failed anyway (below); a few seconds more say by how much.
      { timeoutMs: firstExpiry - Date.now() + 10_000, intervalMs: 100 },
    )
    const seedingEndedAt = Date.now()
    const expiries = plan.map(expiryOf)
    const earliestExpiry = Math.min(...expiries)
    const latestExpiry = Math.max(...expiries)
    const dueAtSeedingEnd = expiries.filter(
      (expiresAt) => expiresAt - EXPIRING_LEAD_MINUTES * 60_000 <= seedingEndedAt,
    ).length
    console.info(
      `multi-instance: ${PROCESSES} processes ready in ${startedAt - launchedAt} ms; ` +
        `${caseList.length} cases opened in ${casesOpenedAt - seedingStartedAt} ms; ` +
        `${notifications.length} notifications (${CONTACTS} messages) posted in ${postedAt - seedingStartedAt} ms, ` +
        `processed after ${seedingEndedAt - seedingStartedAt} ms; windows close ` +
        `${earliestExpiry - seedingEndedAt}–${latestExpiry - seedingEndedAt} ms after that; ` +
        `${dueAtSeedingEnd} window.expiring already due then`,
    )
    expect(
      seedingEndedAt,
      'every window must be open when its notification is processed (seeding took longer than its budget)',
    ).toBeLessThan(earliestExpiry)

    const eventCount = (type: string) =>
      receiver.delivered.filter((delivery) => delivery.event === type).length
    await waitFor(
      'every window event, every re-engagement and every relayed notification',
      () =>
        WINDOW_EVENTS.every((type) => eventCount(type) >= CONTACTS) &&
        eventCount('case.reengaged') >= caseContacts.size &&
        eventCount('whatsapp.notification') >= notifications.length &&
        graph.requests.length >= caseContacts.size,
      { timeoutMs: latestExpiry - Date.now() + 90_000, intervalMs: 250 },
    )
    const allDoneAt = Date.now()

    // Then nothing more may come: the outbox is empty, no job is due, and no delivery or send arrives for a while.
    let lastSeen = -1
    let quietSince = Date.now()
    await waitFor(
      'the counts to stay the same',
      async () => {
        const seen = receiver.attempts.length + graph.requests.length
        if (seen !== lastSeen) {
          lastSeen = seen
          quietSince = Date.now()
          return false
        }
        if (Date.now() - quietSince < SETTLE_MS) return false
        const row = await queryRow(
          `select (select count(*)::int from webhook_deliveries where status = 'pending') as deliveries, ` +
            `(select count(*)::int from jobs where status = 'pending' and due_at <= ${Date.now()}) as jobs`,
        )
        return row.deliveries === 0 && row.jobs === 0
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    )

    const events = eventsOf(receiver.delivered)
    const sends = templateSendsOf(graph.requests)
    const metrics = await Promise.all(
      processes.map(async (gateway) => (await fetch(`${gateway.url}/metrics`)).text()),
    )
    const deliveredBy = metrics.map((text) =>
      counterValue(text, 'carewindow_webhook_deliveries_total', { outcome: 'delivered' }),
    )
    const processedBy = metrics.map((text) => counterValue(text, 'carewindow_webhook_lag_seconds_count'))
    const sentBy = metrics.map((text) =>
      counterValue(text, 'carewindow_upstream_requests_total', { mode: 'cloud', outcome: '200' }),
    )
    const database = await queryRow(
      `select (select count(*)::int from jobs where status = 'pending' and due_at <= ${Date.now()}) as due_jobs, ` +
        `(select count(*)::int from jobs where last_error is not null) as failed_jobs, ` +
        `(select count(*)::int from jobs where status = 'done') as done_jobs, ` +
        `(select count(*)::int from webhook_deliveries where status <> 'delivered') as undelivered, ` +
        `(select count(*)::int from webhook_receipts where error is not null) as failed_receipts, ` +
        `(select count(*)::int from windows) as windows, ` +
        `(select count(*)::int from messages where direction = 'inbound') as inbound_messages`,
    )
    console.info(
      `multi-instance: all counted ${allDoneAt - latestExpiry} ms after the last window closed ` +
        `(${allDoneAt - startedAt} ms after the processes were ready); ` +
        `receiver: ${JSON.stringify(countByType(events))} + ${eventCount('whatsapp.notification')} relayed ` +
        `notifications in ${receiver.attempts.length} attempts; fake Graph: ${graph.requests.length} requests; ` +
        `inbound messages processed per process ${processedBy.join('/')}, deliveries per process ${deliveredBy.join('/')}, template sends per process ${sentBy.join('/')}; ` +
        `database ${JSON.stringify(database)}`,
    )

    // Every delivery the receiver got was a first: no delivery id (for events, the event id) came twice.
    expect(receiver.delivered.every((delivery) => delivery.isSignatureValid)).toBe(true)
    expect(receiver.attempts.length).toBe(receiver.delivered.length)
    expect(repeated(receiver.delivered.map((delivery) => delivery.deliveryId ?? '(none)'))).toEqual(new Map())
    expect(countByType(events)).toEqual({
      'window.opened': CONTACTS,
      'window.expiring': CONTACTS,
      'window.closed': CONTACTS,
      'case.reengaged': caseContacts.size,
    })
    const everyContact = new Set(plan.map((message) => message.contact))
    for (const type of WINDOW_EVENTS) {
      const ofType = events.filter((event) => event.type === type)
      expect(new Set(ofType.map((event) => event.contactId)), `${type}: one per contact`).toEqual(
        everyContact,
      )
      expect(new Set(ofType.map((event) => event.id)).size, `${type}: distinct event ids`).toBe(CONTACTS)
      expect(ofType.every((event) => event.deliveryId === event.id)).toBe(true)
    }
    expect(eventCount('whatsapp.notification')).toBe(notifications.length)
    expect(new Set(receiver.deliveredNotifications())).toEqual(new Set(notifications))

    // Exactly the contacts with a case got the Issue Resolution template, once, with their own ticket id.
    expect(graph.accepted.length).toBe(graph.requests.length)
    expect(repeated(sends.map((send) => send.to))).toEqual(new Map())
    expect(new Map(sends.map((send) => [send.to, send.ticketId]))).toEqual(caseContacts)
    expect(sends.every((send) => send.template === 'ticket_update')).toBe(true)
    const reengaged = events.filter((event) => event.type === 'case.reengaged')
    expect(new Map(reengaged.map((event) => [event.contactId, event.data.external_id]))).toEqual(caseContacts)
    expect(reengaged.every((event) => event.data.allowed === true)).toBe(true)

    // Nothing is left to do and nothing went wrong on the way.
    expect(database).toMatchObject({ due_jobs: 0, failed_jobs: 0, undelivered: 0, failed_receipts: 0 })
    expect(database).toMatchObject({ windows: CONTACTS, inbound_messages: CONTACTS })

    // Every process did its share: each processed inbound messages, delivered events and ran re-engagement jobs.
    // (A process's metrics count no other scheduled work than the sends those jobs make, so which process ran the
    // window.expiring and window.closed jobs is not observable.)
    expect(processedBy.every((count) => count > 0)).toBe(true)
    expect(deliveredBy.reduce((sum, count) => sum + count, 0)).toBe(receiver.delivered.length)
    expect(deliveredBy.every((count) => count > 0)).toBe(true)
    expect(sentBy.reduce((sum, count) => sum + count, 0)).toBe(caseContacts.size)
    expect(sentBy.every((count) => count > 0)).toBe(true)

    expect(await Promise.all(processes.map((gateway) => gateway.stop()))).toEqual(processes.map(() => 0))
  })
})

/** Runs `work(0 … count - 1)` with {@link CLIENTS} at a time. */
async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  const client = async (): Promise<void> => {
    while (next < count) await work(next++)
  }
  await Promise.all(Array.from({ length: Math.min(CLIENTS, count) }, client))
}
