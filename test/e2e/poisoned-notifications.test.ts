import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS, RETRY_BASE_MS } from '../../src/gateway/webhooks/inbox.js'
import type { RunningServer } from '../../src/server.js'
import {
  API_KEY,
  autumnSale,
  APP_SECRET,
  Cleanup,
  type E2eDatabase,
  graphErrorOf,
  inboundTextNotification,
  OTHER_API_KEY,
  PHONE_NUMBER_ID,
  postMessage,
  postWebhook,
  startE2eStack,
  TestClock,
  textMessage,
} from '../support/test-gateway.js'
import { waitFor } from '../support/wait.js'

/** Whose messages the database refuses to store (an injected fault): their notifications cannot be applied. */
const POISONED = '31699999001'
const DISCARDED = '31699999002'
/** Opted in to marketing, then writes STOP right behind a poisoned notification. */
const STOPPER = '31612340001'
/** Writes "Hi" right behind a poisoned notification: the reply needs the window it opens. */
const WRITER = '31612340002'

/** A trigger that refuses to store inbound messages from the poisoned contacts, in the suite's dialect. */
function injectFault(dialect: 'sqlite' | 'postgres'): string {
  const poisoned = `'${POISONED}', '${DISCARDED}'`
  return dialect === 'sqlite'
    ? `create trigger cw_test_fault before insert on messages when new.direction = 'inbound' and new.contact_id in (${poisoned}) ` +
        `begin select raise(abort, 'injected fault: the database refused this row'); end`
    : `create function cw_test_fault() returns trigger language plpgsql as $$ begin ` +
        `if new.direction = 'inbound' and new.contact_id in (${poisoned}) then raise exception 'injected fault: the database refused this row'; end if; ` +
        `return new; end $$; ` +
        'create trigger cw_test_fault before insert on messages for each row execute function cw_test_fault()'
}

const liftFault = (dialect: 'sqlite' | 'postgres'): string =>
  dialect === 'sqlite'
    ? 'drop trigger cw_test_fault'
    : 'drop trigger cw_test_fault on messages; drop function cw_test_fault()'

describe.each(['sqlite', 'postgres'] as const)(
  'notifications that cannot be applied, on %s',
  { timeout: 60_000 },
  (dialect) => {
    const cleanup = new Cleanup()
    const clock = new TestClock()
    let database: E2eDatabase
    let server: RunningServer

    beforeAll(async () => {
      ;({ database, server } = await startE2eStack(dialect, cleanup, {
        clock: clock.now,
        // Short enough that a send refused for a failing notification is answered quickly in the test.
        overrides: { inbox: { decision_wait_ms: 300 } },
      }))
      await database.execute(injectFault(dialect))
    })

    afterAll(() => cleanup.run())

    const native = async (method: string, path: string, apiKey = API_KEY) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}` },
      })
      return { status: response.status, json: (await response.json()) as Record<string, unknown> }
    }

    const say = async (from: string, id: string, text = 'Hi') => {
      const answer = await postWebhook(
        server.url,
        inboundTextNotification({ from, id, atMs: clock.now(), text }),
        { secret: APP_SECRET },
      )
      expect(answer.status).toBe(200)
    }

    /** Moves the clock past each retry of the failing notifications (the inbox's poll takes them) until given up. */
    const untilDead = (count: number) =>
      waitFor(
        `${count} dead letter(s)`,
        async () => {
          if ((await server.gateway.store.countDeadNotifications()) >= count) return true
          clock.advance(RETRY_BASE_MS * 2 ** (MAX_ATTEMPTS - 1))
          return null
        },
        { intervalMs: 200 },
      )

    it('applies a STOP and a "Hi" right behind a notification that fails, so sends right after them are decided on them', async () => {
      const optIn = await fetch(`${server.url}/v1/channels/${PHONE_NUMBER_ID}/contacts/${STOPPER}/consent`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: 'marketing', source: 'website_form', evidence: 'form v3' }),
      })
      expect(optIn.status).toBe(201)
      clock.advance(1_000)

      await say(POISONED, 'wamid.poisoned-1')
      await say(STOPPER, 'wamid.stop', 'STOP')
      await say(WRITER, 'wamid.hi')

      const marketing = await postMessage(server.url, autumnSale(STOPPER))
      expect(marketing.status).toBe(400)
      expect(graphErrorOf(marketing).code).toBe(131050)
      const reply = await postMessage(server.url, textMessage(WRITER, 'Hello!'))
      expect(reply.status).toBe(200)
      expect(reply.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
    })

    it('refuses, with 503 and Retry-After, a send about a contact whose notification is being retried', async () => {
      const answer = await postMessage(server.url, textMessage(POISONED, 'Hello!'))
      expect(answer.status).toBe(503)
      expect(graphErrorOf(answer).code).toBe(2)
      expect(graphErrorOf(answer).error_data?.details).toMatch(
        /failed to apply \(injected fault: the database refused this row\) and is tried again in \d+ s/,
      )
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(await database.count('messages', { contact_id: POISONED })).toBe(0)
    })

    it('keeps it as a dead letter after its last try: listed for its tenant only, counted, and its contact’s sends refused', async () => {
      await untilDead(1)

      const answer = await postMessage(server.url, textMessage(POISONED, 'Hello!'))
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBeNull()
      const details = graphErrorOf(answer).error_data?.details ?? ''
      expect(details).toMatch(/could not be applied \(injected fault: the database refused this row\)/)
      expect(details).toMatch(/POST \/v1\/dead-letters\/\d+\/retry/)

      const listed = await native('GET', '/v1/dead-letters')
      expect(listed.status).toBe(200)
      const letters = listed.json.data as Record<string, unknown>[]
      expect(letters).toHaveLength(1)
      expect(letters[0]).toMatchObject({
        status: 'dead',
        platform: 'whatsapp',
        attempts: MAX_ATTEMPTS,
        error: 'injected fault: the database refused this row',
        concerns: [{ channel_id: PHONE_NUMBER_ID, contact_id: POISONED }],
      })
      expect(listed.json.next_after).toBeNull()
      expect((await native('GET', '/v1/dead-letters', OTHER_API_KEY)).json.data).toEqual([])
      expect((await native('GET', `/v1/dead-letters/${String(letters[0]?.id)}`, OTHER_API_KEY)).status).toBe(
        404,
      )

      const metrics = await (await fetch(`${server.url}/metrics`)).text()
      expect(metrics).toMatch(/^carewindow_inbox_dead_letters 1$/m)
      expect(metrics).toMatch(/^carewindow_inbox_failures_total\{outcome="dead"\} 1$/m)
    })

    it('applies a dead letter an operator retries once the fault is gone, and its contact’s sends go ahead', async () => {
      const [letter] = (await native('GET', '/v1/dead-letters')).json.data as { id: number }[]
      await database.execute(liftFault(dialect))

      const retried = await native('POST', `/v1/dead-letters/${String(letter?.id)}/retry`)
      expect(retried.status).toBe(200)
      expect(retried.json.status).toBe('retrying')

      const reply = await waitFor('the retried notification to open the window', async () => {
        const answer = await postMessage(server.url, textMessage(POISONED, 'Hello again!'))
        return answer.status === 503 ? null : answer
      })
      expect(reply.status).toBe(200)
      expect(reply.headers.get('x-carewindow-decision')).toBe('IN_CARE_WINDOW')
      expect((await native('GET', '/v1/dead-letters')).json.data).toEqual([])
      expect((await native('POST', `/v1/dead-letters/${String(letter?.id)}/retry`)).status).toBe(404)
    })

    it('decides on what it knows once an operator discards a dead letter', async () => {
      await database.execute(injectFault(dialect))
      await say(DISCARDED, 'wamid.discarded-1')
      await untilDead(1)
      const [letter] = (await native('GET', '/v1/dead-letters')).json.data as { id: number }[]

      const discarded = await native('POST', `/v1/dead-letters/${String(letter?.id)}/discard`)
      expect(discarded.status).toBe(200)
      expect(discarded.json.status).toBe('discarded')

      // Its "Hi" was never applied: as far as carewindow knows, the contact never wrote.
      const answer = await postMessage(server.url, textMessage(DISCARDED, 'Hello!'))
      expect(answer.status).toBe(400)
      expect(graphErrorOf(answer).code).toBe(131047)
      expect(await server.gateway.store.countDeadNotifications()).toBe(0)
    })
  },
)
