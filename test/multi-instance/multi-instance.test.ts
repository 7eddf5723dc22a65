import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { ControlledClock } from '../support/controlled-clock.js'
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
  HOUR_MS,
  metaSignature,
  PHONE_NUMBER_ID,
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
/**
 * Contacts, each with one window. Their window.closed jobs all fall due at the same instant: four full claims of
 * 500, more than there are schedulers, taken from the same due rows at the same moments (`FOR UPDATE SKIP LOCKED`)
 * while the re-engagement job each of them schedules joins the pile, and some 7,000 deliveries are claimed 50 at a
 * time by the three outboxes. That is the contention this test is about. More contacts only add rounds of the same
 * claims, and time: each costs the processes about 15 ms of CPU, so 10,000 keep a two-core machine busy for minutes.
 */
const CONTACTS = 2_000
/** Every fifth contact has an open case: exactly those are re-engaged when their window closes. */
const CASE_EVERY = 5
/** Meta batches messages: this many customers' messages per notification. */
const MESSAGES_PER_NOTIFICATION = 5
/** Concurrent HTTP clients posting notifications and cases, spread over the processes in turn. */
const CLIENTS = 16

/*
 * The timeline, in the processes' time (S: the instant seeding starts, when their clocks still agree with the
 * system's). Windows close at S + 2 h (the early half of the contacts) or S + 7 h (the late half), each contact
 * shifted by up to EXPIRY_SPREAD_MS, and window.expiring is due 6 h before that:
 *
 * - while seeding, the early windows' notices are already due when their message is processed, so the schedulers
 *   announce them while the inboxes are still working through the notifications;
 * - once everything seeding caused is done, the clocks move to S + 1 h + EXPIRY_SPREAD_MS: every late notice falls
 *   due at once, and no window has closed yet;
 * - once those are out, the clocks move past the last expiry: every window closes at the same instant and every
 *   re-engagement falls due.
 *
 * The clocks keep running between the moves, so this holds as long as the test reaches each move within an hour
 * of real time, far longer than any of its timeouts: how long seeding or anything else takes changes nothing.
 */
const EXPIRING_LEAD_MINUTES = 6 * 60
const EARLY_CLOSE_AFTER_MS = 2 * HOUR_MS
const LATE_CLOSE_AFTER_MS = 7 * HOUR_MS
const EXPIRY_SPREAD_MS = 60_000

/** Timeouts: generous, for a loaded machine; a passing run waits for outcomes, never for these. */
const REQUEST_TIMEOUT_MS = 30_000
const PHASE_TIMEOUT_MS = 180_000
const TEST_TIMEOUT_MS = 600_000
/** Nothing more arrived for this long after everything due was done: the counts are final. */
const SETTLE_MS = 3_000

const WINDOW_EVENTS = ['window.opened', 'window.expiring', 'window.closed'] as const

describe(`${PROCESSES} carewindow processes on one PostgreSQL database`, { timeout: TEST_TIMEOUT_MS }, () => {
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

  /** Rows from the shared schema. */
  const queryRows = <T extends object>(sql: string): Promise<T[]> =>
    withPostgresClient(async (client) => {
      await client.query(`set search_path to ${quoteSchema(schema)}`)
      return (await client.query<T>(sql)).rows
    })
  /** One row of numbers from the shared schema. */
  const queryRow = async (sql: string): Promise<Record<string, number>> =>
    (await queryRows<Record<string, number>>(sql))[0] ?? {}
  /**
   * Deliveries made more than once. The receiver answers every one with 200, so a second attempt means the first
   * timed out or its lease ran out while it was being made, and the receiver got it twice: which of the two it was
   * says why exactly-once failed.
   */
  const retriedDeliveries = () =>
    queryRows(
      'select id, event_type, attempts, status, created_at, next_attempt_at, delivered_at, last_error ' +
        'from webhook_deliveries where attempts > 1',
    )

  it('delivers every window event once and re-engages every open case once while windows close by the thousand', async () => {
    // The first process migrates the schema; the others find it ready.
    const launchedAt = Date.now()
    const first = await GatewayProcess.start(configPath, { isClockControlled: true })
    cleanup.add(() => first.kill())
    const others = await Promise.all(
      Array.from({ length: PROCESSES - 1 }, () =>
        GatewayProcess.start(configPath, { isClockControlled: true }),
      ),
    )
    for (const other of others) cleanup.add(() => other.kill())
    const processes = [first, ...others]
    onTestFailed(() => {
      for (const [index, gateway] of processes.entries())
        console.error(`carewindow process ${index + 1} wrote:\n${gateway.log()}`)
    })
    const startedAt = Date.now()

    // The processes' time, as the test reads it for its queries, and how the test moves it for all of them.
    const clock = new ControlledClock()
    const moveClocksTo = async (instant: number): Promise<void> => {
      const offsetMs = instant - Date.now()
      await Promise.all(processes.map((gateway) => gateway.setClockOffset(offsetMs)))
      clock.setOffset(offsetMs)
    }
    /**
     * Nothing is under way: every stored notification processed, every delivery made, no job due. The clocks are
     * moved only then, so no lease taken before a move runs out by it (another process would take the work over
     * while it is still being done). One statement, so one snapshot: a job's events are committed before the job
     * is marked done, and a delivery is marked delivered only after the receiver answered.
     */
    const isIdle = async (): Promise<boolean> => {
      const row = await queryRow(
        `select (select count(*)::int from webhook_notifications where processed_at is null) as notifications, ` +
          `(select count(*)::int from webhook_deliveries where status = 'pending') as deliveries, ` +
          `(select count(*)::int from jobs where status = 'pending' and due_at <= ${clock.now()}) as jobs`,
      )
      return row.notifications === 0 && row.deliveries === 0 && row.jobs === 0
    }
    const eventCount = (type: string) =>
      receiver.delivered.filter((delivery) => delivery.event === type).length
    /** The contacts the receiver got events of `type` for, sorted: a contact announced twice is there twice. */
    const contactsWith = (type: string): string[] =>
      eventsOf(receiver.delivered)
        .filter((event) => event.type === type)
        .map((event) => event.contactId)
        .sort()
    /** No delivery id came twice, and none had to be made twice. */
    const expectEachDeliveredOnce = async (): Promise<void> => {
      const deliveryIds = receiver.delivered.map((delivery) => delivery.deliveryId ?? '(none)')
      expect(repeated(deliveryIds), 'deliveries the receiver got more than once').toEqual(new Map())
      expect(await retriedDeliveries(), 'deliveries made more than once').toEqual([])
    }

    // Seeding, through every process in turn: a case for every fifth contact (created on first sight) and, at
    // the same time, one message from each customer, timestamped so that its window closes on the timeline above.
    // (Until the first move, the processes' clocks and the system's agree.)
    const seedingStartedAt = clock.now()
    const caseContacts = new Map<string, string>()
    for (let index = 0; index < CONTACTS; index += CASE_EVERY)
      caseContacts.set(contactOf(index), `T-${index}`)
    const caseList = [...caseContacts]
    const plan: PlannedMessage[] = Array.from({ length: CONTACTS }, (_, index) => {
      const spreadMs = (((index * 7_919) % CONTACTS) * EXPIRY_SPREAD_MS) / CONTACTS
      const closesAt =
        seedingStartedAt + (index % 2 === 0 ? EARLY_CLOSE_AFTER_MS : LATE_CLOSE_AFTER_MS) + spreadMs
      return {
        contact: contactOf(index),
        messageId: `wamid.multi-instance-${index}`,
        timestampSeconds: Math.ceil((closesAt - DAY_MS) / 1_000),
      }
    })
    const contacts = plan.map((message) => message.contact).sort()
    const expiringDue = (message: PlannedMessage) => expiryOf(message) - EXPIRING_LEAD_MINUTES * 60_000
    const earlyContacts = plan
      .filter((message) => expiringDue(message) <= seedingStartedAt)
      .map((message) => message.contact)
      .sort()
    const earliestExpiry = Math.min(...plan.map(expiryOf))
    const latestExpiry = Math.max(...plan.map(expiryOf))
    const lastExpiringDue = Math.max(...plan.map(expiringDue))
    // The timeline's arithmetic: half the notices due at once, the rest all due before the first window closes.
    expect(earlyContacts.length).toBe(CONTACTS / 2)
    expect(lastExpiringDue).toBeLessThan(earliestExpiry)
    const notifications: string[] = []
    for (let start = 0; start < plan.length; start += MESSAGES_PER_NOTIFICATION)
      notifications.push(inboundNotification(plan.slice(start, start + MESSAGES_PER_NOTIFICATION)))

    await Promise.all([
      inParallel(caseList.length, async (k) => {
        const [contact, externalId] = caseList[k] as [string, string]
        const response = await fetch(
          `${processes[k % PROCESSES]!.url}/v1/channels/${PHONE_NUMBER_ID}/cases`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ contact_id: contact, external_id: externalId }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          },
        )
        const text = await response.text()
        if (response.status !== 201) throw new Error(`opening a case answered ${response.status}: ${text}`)
      }),
      inParallel(notifications.length, async (k) => {
        const body = notifications[k]!
        const response = await fetch(`${processes[k % PROCESSES]!.url}/webhooks/whatsapp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': metaSignature(body, APP_SECRET),
          },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        })
        const text = await response.text()
        if (response.status !== 200) throw new Error(`a notification answered ${response.status}: ${text}`)
      }),
    ])
    const postedAt = Date.now()
    await waitFor(
      'every notification processed and relayed, every window opened, every early window.expiring delivered',
      async () =>
        eventCount('window.opened') >= CONTACTS &&
        eventCount('window.expiring') >= earlyContacts.length &&
        eventCount('whatsapp.notification') >= notifications.length &&
        (await isIdle()),
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 100 },
    )
    const seedingEndedAt = Date.now()
    await expectEachDeliveredOnce()
    expect(contactsWith('window.opened')).toEqual(contacts)
    expect(contactsWith('window.expiring')).toEqual(earlyContacts)
    expect(countByType(eventsOf(receiver.delivered)), 'no window closed yet').toEqual({
      'window.opened': CONTACTS,
      'window.expiring': earlyContacts.length,
    })

    // Every late window.expiring falls due at once; the first window closes about an hour later.
    await moveClocksTo(lastExpiringDue)
    await waitFor(
      'every window.expiring',
      async () => eventCount('window.expiring') >= CONTACTS && (await isIdle()),
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 100 },
    )
    const noticesEndedAt = Date.now()
    await expectEachDeliveredOnce()
    expect(contactsWith('window.expiring')).toEqual(contacts)
    expect(countByType(eventsOf(receiver.delivered)), 'no window closed yet').toEqual({
      'window.opened': CONTACTS,
      'window.expiring': CONTACTS,
    })

    // Every window closes at the same instant; every re-engagement falls due with it (no delay configured).
    await moveClocksTo(latestExpiry + 1)
    const closingStartedAt = Date.now()
    await waitFor(
      'every window.closed, every re-engagement and every template send',
      () =>
        eventCount('window.closed') >= CONTACTS &&
        eventCount('case.reengaged') >= caseContacts.size &&
        graph.requests.length >= caseContacts.size,
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 100 },
    )
    const allDoneAt = Date.now()

    // Then nothing more may come: nothing is under way, and no delivery or send arrives for a while.
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
        return Date.now() - quietSince >= SETTLE_MS && (await isIdle())
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
      `select (select count(*)::int from jobs where status = 'pending' and due_at <= ${clock.now()}) as due_jobs, ` +
        `(select count(*)::int from jobs where last_error is not null) as failed_jobs, ` +
        `(select count(*)::int from jobs where status = 'done') as done_jobs, ` +
        `(select count(*)::int from webhook_deliveries where status <> 'delivered') as undelivered, ` +
        `(select count(*)::int from webhook_notifications where error is not null) as failed_notifications, ` +
        `(select count(*)::int from windows) as windows, ` +
        `(select count(*)::int from messages where direction = 'inbound') as inbound_messages`,
    )
    console.info(
      `multi-instance: ${PROCESSES} processes ready in ${startedAt - launchedAt} ms; ` +
        `${caseList.length} cases and ${notifications.length} notifications (${CONTACTS} messages) posted in ` +
        `${postedAt - seedingStartedAt} ms, all processed with ${earlyContacts.length} window.expiring after ` +
        `${seedingEndedAt - seedingStartedAt} ms; the other ${CONTACTS - earlyContacts.length} window.expiring took ` +
        `${noticesEndedAt - seedingEndedAt} ms (with the clock move); ${CONTACTS} windows closed and ` +
        `${caseContacts.size} re-engagements in ${allDoneAt - closingStartedAt} ms; ` +
        `receiver: ${JSON.stringify(countByType(events))} + ${eventCount('whatsapp.notification')} relayed ` +
        `notifications in ${receiver.attempts.length} attempts; fake Graph: ${graph.requests.length} requests; ` +
        `inbound messages processed per process ${processedBy.join('/')}, deliveries per process ${deliveredBy.join('/')}, template sends per process ${sentBy.join('/')}; ` +
        `database ${JSON.stringify(database)}`,
    )

    // Every delivery the receiver got was a first: no delivery id (for events, the event id) came twice.
    expect(receiver.delivered.every((delivery) => delivery.isSignatureValid)).toBe(true)
    expect(receiver.attempts.length).toBe(receiver.delivered.length)
    await expectEachDeliveredOnce()
    expect(countByType(events)).toEqual({
      'window.opened': CONTACTS,
      'window.expiring': CONTACTS,
      'window.closed': CONTACTS,
      'case.reengaged': caseContacts.size,
    })
    for (const type of WINDOW_EVENTS) {
      const ofType = events.filter((event) => event.type === type)
      expect(contactsWith(type), `${type}: one per contact`).toEqual(contacts)
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
    expect(database).toMatchObject({ due_jobs: 0, failed_jobs: 0, undelivered: 0, failed_notifications: 0 })
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
