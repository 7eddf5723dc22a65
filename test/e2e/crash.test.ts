import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGraph } from '../support/fake-graph.js'
import { GatewayProcess } from '../support/gateway-process.js'
import {
  APP_SECRET,
  Cleanup,
  inboundTextNotification,
  metaSignature,
  testConfigFile,
  WEBHOOK_SECRET,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/** Concurrent senders, as Meta's webhook fleet would be. */
const CLIENTS = 8
/** Acknowledged notifications after which the gateway is killed, mid-run (the senders keep going). */
const KILL_AFTER_ACKNOWLEDGED = 400
const CONTACTS = 25

function notification(client: number, sequence: number): { readonly id: string; readonly body: string } {
  const id = `wamid.crash-${client}-${sequence}`
  const contact = `3161000${String((client * 7919 + sequence) % CONTACTS).padStart(4, '0')}`
  const body = inboundTextNotification({
    from: contact,
    id,
    atMs: Date.now(),
    text: `message ${sequence} from sender ${client}`,
    profileName: `Customer ${contact}`,
  })
  return { id, body }
}

describe('a kill -9 under webhook load', { timeout: 120_000 }, () => {
  let directory: string
  let databasePath: string
  let configPath: string
  let graph: FakeGraph
  let receiver: WebhookReceiver
  const cleanup = new Cleanup()

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-crash-'))
    cleanup.add(() => rm(directory, { recursive: true, force: true }))
    databasePath = join(directory, 'carewindow.db')
    configPath = join(directory, 'carewindow.json')
    graph = await FakeGraph.start()
    cleanup.add(() => graph.close())
    receiver = await WebhookReceiver.start(WEBHOOK_SECRET)
    cleanup.add(() => receiver.close())
    const config = testConfigFile({
      databaseUrl: `sqlite:${databasePath}`,
      graphUrl: graph.url,
      webhookUrl: receiver.url,
      logLevel: 'warn',
    })
    await writeFile(configPath, JSON.stringify(config, null, 2))
  })

  afterAll(() => cleanup.run())

  const query = <T>(work: (database: BetterSqlite3.Database) => T): T => {
    const database = new BetterSqlite3(databasePath, { fileMustExist: true })
    try {
      database.pragma('busy_timeout = 5000')
      return work(database)
    } finally {
      database.close()
    }
  }

  it('loses no acknowledged notification, stores each once and relays them all after a restart', async () => {
    const first = await GatewayProcess.start(configPath)
    cleanup.add(() => first.kill())

    // Senders post signed notifications with distinct message ids as fast as the gateway answers, until it dies.
    const acknowledged: string[] = []
    let attempted = 0
    const run: { killing: Promise<void> | null } = { killing: null }
    const sender = async (client: number) => {
      for (let sequence = 0; ; sequence++) {
        const { id, body } = notification(client, sequence)
        attempted++
        try {
          const response = await fetch(`${first.url}/webhooks/whatsapp`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': metaSignature(body, APP_SECRET),
            },
            body,
          })
          const text = await response.text()
          if (response.status !== 200 || text !== 'EVENT_RECEIVED')
            throw new Error(`unexpected answer ${response.status}: ${text}`)
          acknowledged.push(id)
          if (acknowledged.length >= KILL_AFTER_ACKNOWLEDGED) run.killing ??= first.kill()
        } catch (error) {
          if (run.killing !== null) return // the gateway is gone: this one was never acknowledged
          throw error
        }
      }
    }
    await Promise.all(Array.from({ length: CLIENTS }, (_, client) => sender(client)))
    await run.killing

    // The dead process held leases on the deliveries it was making; they run out after 60 s. Time has passed.
    query((database) =>
      database.prepare("update webhook_deliveries set locked_until = null where status = 'pending'").run(),
    )
    const count = (sql: string) =>
      query((database) => (database.prepare(sql).get() as { count: number }).count)
    const storedBeforeRestart = count('select count(*) as count from webhook_notifications')
    const unprocessedAtRestart = count(
      'select count(*) as count from webhook_notifications where processed_at is null',
    )
    const undeliveredAtRestart = count(
      "select count(*) as count from webhook_deliveries where status = 'pending'",
    )

    const second = await GatewayProcess.start(configPath)
    cleanup.add(() => second.kill())
    const relayedIds = () =>
      new Set(
        receiver
          .deliveredNotifications()
          .map(
            (body) =>
              (JSON.parse(body) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] })
                .entry[0]!.changes[0]!.value.messages[0]!.id,
          ),
      )
    await waitFor(
      'every acknowledged notification relayed',
      () => {
        const relayed = relayedIds()
        return acknowledged.every((id) => relayed.has(id))
      },
      { timeoutMs: 60_000 },
    )
    await waitFor(
      'the inbox and the outbox empty',
      () =>
        query(
          (database) =>
            (
              database
                .prepare(
                  "select (select count(*) from webhook_notifications where processed_at is null) + (select count(*) from webhook_deliveries where status = 'pending') as count",
                )
                .get() as { count: number }
            ).count === 0,
        ),
      { timeoutMs: 60_000 },
    )
    expect(await second.stop()).toBe(0)

    const stored = query((database) => {
      const count = database.prepare(
        "select count(*) as count from messages where direction = 'inbound' and external_id = ?",
      )
      return acknowledged.map((id) => ({ id, count: (count.get(id) as { count: number }).count }))
    })
    const totals = query((database) => ({
      notifications: (
        database.prepare('select count(*) as count from webhook_notifications').get() as { count: number }
      ).count,
      inbound: (
        database.prepare("select count(*) as count from messages where direction = 'inbound'").get() as {
          count: number
        }
      ).count,
      failedNotifications: (
        database
          .prepare('select count(*) as count from webhook_notifications where error is not null')
          .get() as {
          count: number
        }
      ).count,
    }))
    const deliveryIds = receiver.delivered.map((delivery) => delivery.deliveryId)
    console.info(
      `crash test: ${attempted} posted, ${acknowledged.length} acknowledged before the kill, ` +
        `${storedBeforeRestart} notifications on disk after it (${unprocessedAtRestart} not yet processed, ` +
        `${undeliveredAtRestart} relays not yet delivered), ${totals.inbound} inbound messages stored ` +
        `(${stored.filter((entry) => entry.count === 1).length} of the acknowledged exactly once), ` +
        `${receiver.delivered.length} relayed (${deliveryIds.length - new Set(deliveryIds).size} redelivered after the crash)`,
    )

    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED)
    expect(stored.filter((entry) => entry.count !== 1)).toEqual([])
    expect(storedBeforeRestart).toBeGreaterThanOrEqual(acknowledged.length)
    expect(totals.failedNotifications).toBe(0)
    expect(totals.inbound).toBeGreaterThanOrEqual(acknowledged.length)
    expect(receiver.delivered.every((delivery) => delivery.isSignatureValid)).toBe(true)
  })
})
