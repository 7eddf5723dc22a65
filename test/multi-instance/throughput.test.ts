import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
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
  CHANNEL_ACCESS_TOKEN,
  Cleanup,
  PHONE_NUMBER_ID,
  TEMPLATES,
  TENANT,
  ticketUpdate,
  VERIFY_TOKEN,
} from '../support/test-gateway.js'
import { contactOf } from './multi-instance-fixture.js'

/** carewindow processes sharing the one PostgreSQL schema, and so the same buckets. */
const PROCESSES = 3
/** The numbers: 2,000 sends to one number limited to 50 a second. */
const SENDS = 2_000
const PER_SECOND = 50
/** What the fake Graph may see in any one second: the rate, and a tenth more for the timing of the sends. */
const MOST_IN_ONE_SECOND = 55
/**
 * Clients sending at once, spread over the processes in turn: enough to offer well over 50 sends a second, few
 * enough that this process (which is also the fake Graph, timing what it receives) stays responsive.
 */
const CLIENTS = 12

const SMOOTH_NUMBER = PHONE_NUMBER_ID
const REFUSE_NUMBER = '106540352242923'
const TEST_TIMEOUT_MS = 240_000

/** The busiest one-second window among request arrival times (ms). */
function busiestSecond(arrivals: readonly number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b)
  let most = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= 1_000) start++
    most = Math.max(most, end - start + 1)
  }
  return most
}

/** A send as a client makes it: the status, the Graph error code (if any) and Retry-After. */
interface Answer {
  readonly status: number
  readonly code: number | null
  readonly retryAfter: string | null
}

describe(
  `throughput limits across ${PROCESSES} carewindow processes on one PostgreSQL`,
  { timeout: TEST_TIMEOUT_MS },
  () => {
    const cleanup = new Cleanup()
    const schema = uniqueSchemaName()
    let graph: FakeGraph
    let processes: GatewayProcess[] = []

    beforeAll(async () => {
      const directory = await mkdtemp(join(tmpdir(), 'carewindow-rates-'))
      cleanup.add(() => rm(directory, { recursive: true, force: true }))
      await withPostgresClient((client) => client.query(`create schema ${quoteSchema(schema)}`))
      cleanup.add(() => dropSchema(schema))
      graph = await FakeGraph.start()
      cleanup.add(() => graph.close())
      const base = postgresUrl()
      const channel = (id: string, rate: Record<string, unknown>) => ({
        platform: 'whatsapp',
        id,
        upstream: { mode: 'cloud', base_url: graph.url, access_token: CHANNEL_ACCESS_TOKEN },
        app_secret: APP_SECRET,
        verify_token: VERIFY_TOKEN,
        templates: TEMPLATES.filter((template) => template.name === 'ticket_update'),
        settings: { rate },
      })
      const configPath = join(directory, 'carewindow.json')
      await writeFile(
        configPath,
        JSON.stringify({
          log_level: 'warn',
          database: { url: `${base}${base.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` },
          tenants: [
            {
              id: TENANT,
              api_keys: [{ name: 'test', key: API_KEY }],
              channels: [
                // burst 1: sends are spaced 20 ms apart, so the busiest second holds 51 and the check leaves the
                // processes' timing some room (the default, a tenth of the rate, would allow exactly 55).
                channel(SMOOTH_NUMBER, {
                  per_second: PER_SECOND,
                  burst: 1,
                  mode: 'smooth',
                  pair_interval_ms: 1_500,
                  pair_burst: 1,
                }),
                channel(REFUSE_NUMBER, { per_second: PER_SECOND, burst: 1, mode: 'refuse', pair_burst: 1 }),
              ],
            },
          ],
        }),
      )
      // The first process migrates the schema; the others find it ready.
      const first = await GatewayProcess.start(configPath)
      cleanup.add(() => first.kill())
      const others = await Promise.all(
        Array.from({ length: PROCESSES - 1 }, () => GatewayProcess.start(configPath)),
      )
      for (const other of others) cleanup.add(() => other.kill())
      processes = [first, ...others]
    }, 120_000)

    afterAll(() => cleanup.run())

    afterEach((context) => {
      if (context.task.result?.state !== 'fail') return
      for (const [index, gateway] of processes.entries())
        console.error(`carewindow process ${index + 1} wrote:\n${gateway.log()}`)
    })

    const queryRows = <T extends object>(sql: string, values: unknown[] = []): Promise<T[]> =>
      withPostgresClient(async (client) => {
        await client.query(`set search_path to ${quoteSchema(schema)}`)
        return (await client.query<T>(sql, values)).rows
      })

    async function send(index: number, number: string, to: string): Promise<Answer> {
      const gateway = processes[index % processes.length]
      if (gateway === undefined) throw new Error('no carewindow process')
      const response = await fetch(`${gateway.url}/v21.0/${number}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: ticketUpdate(to, `T-${index}`),
      })
      const body = (await response.json()) as { error?: { code?: number } }
      return {
        status: response.status,
        code: body.error?.code ?? null,
        retryAfter: response.headers.get('retry-after'),
      }
    }

    /** `SENDS` sends to `number`, each to its own contact, `CLIENTS` at a time. */
    async function sendAll(number: string, offset: number): Promise<Answer[]> {
      const answers: Answer[] = []
      let next = 0
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < SENDS) {
            const index = next++
            answers[index] = await send(index, number, contactOf(offset + index))
          }
        }),
      )
      return answers
    }

    const arrivalsAt = (number: string) =>
      graph.requests
        .filter((request) => request.phoneNumberId === number)
        .map((request) => request.receivedAt)

    it(`smooth: forwards every one of ${SENDS} sends, never more than ${MOST_IN_ONE_SECOND} in a second`, async () => {
      const answers = await sendAll(SMOOTH_NUMBER, 0)

      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(SENDS)
      expect(arrivalsAt(SMOOTH_NUMBER)).toHaveLength(SENDS)
      expect(busiestSecond(arrivalsAt(SMOOTH_NUMBER))).toBeLessThanOrEqual(MOST_IN_ONE_SECOND)
    })

    it("refuse: answers the excess at once with Graph's 130429 and Retry-After, and neither sends nor bills it", async () => {
      const answers = await sendAll(REFUSE_NUMBER, SENDS)
      const refused = answers.filter((answer) => answer.status === 429)
      const forwarded = answers.filter((answer) => answer.status === 200)

      expect(forwarded.length + refused.length).toBe(SENDS)
      expect(refused.length).toBeGreaterThan(0)
      expect(new Set(refused.map((answer) => answer.code))).toEqual(new Set([130429]))
      expect(refused.every((answer) => Number(answer.retryAfter) >= 1)).toBe(true)
      expect(arrivalsAt(REFUSE_NUMBER)).toHaveLength(forwarded.length)
      expect(busiestSecond(arrivalsAt(REFUSE_NUMBER))).toBeLessThanOrEqual(MOST_IN_ONE_SECOND)
      const [recorded] = await queryRows<{ throttled: string; priced: string }>(
        `select count(*) filter (where status = 'throttled') as throttled,
        count(*) filter (where status = 'throttled' and price_micros is not null) as priced
       from messages m join channels c on c.id = m.channel_id where c.external_id = $1`,
        [REFUSE_NUMBER],
      )
      expect([Number(recorded?.throttled), Number(recorded?.priced)]).toEqual([refused.length, 0])
    })

    it('refuse: answers a second send to one user inside the pair interval with 131056', async () => {
      // After the burst above, the number has room again within a second; the pair's interval is 6 s.
      await new Promise((resolve) => setTimeout(resolve, 1_100))
      const customer = contactOf(9_000_000)
      const first = await send(0, REFUSE_NUMBER, customer)
      const second = await send(1, REFUSE_NUMBER, customer)

      expect(first.status).toBe(200)
      expect(second).toEqual({
        status: 429,
        code: 131056,
        retryAfter: expect.stringMatching(/^[1-6]$/) as string,
      })
    })

    it('smooth: holds a second send to one user until the pair interval has passed, then forwards it', async () => {
      const customer = contactOf(9_000_001)
      const [first, second] = await Promise.all([
        send(0, SMOOTH_NUMBER, customer),
        send(1, SMOOTH_NUMBER, customer),
      ])
      const arrivals = graph.requests
        .filter((request) => request.body.toString('utf8').includes(customer))
        .map((request) => request.receivedAt)

      expect([first.status, second.status]).toEqual([200, 200])
      expect(arrivals).toHaveLength(2)
      expect(Math.abs((arrivals[1] ?? 0) - (arrivals[0] ?? 0))).toBeGreaterThanOrEqual(1_000)
    })
  },
)
