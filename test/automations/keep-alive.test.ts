import { describe, expect, it } from 'vitest'
import { contactJobId, JOB_KINDS } from '../../src/scheduler/jobs.js'
import {
  DAY,
  DIALECTS,
  EXPIRING_LEAD_KEEP_ALIVE_CHANNEL,
  HOUR,
  KEEP_ALIVE_LEAD,
  KEEP_ALIVE_TEXT,
  NUMBERS,
  T0,
  useFixture,
  type AutomationsFixture,
} from './automations-fixture.js'

const REMINDER_AT = T0 + DAY - KEEP_ALIVE_LEAD

/** The texts of the reminders Graph received for a contact. */
function remindersTo(f: AutomationsFixture, contact: string): string[] {
  return f.sentTo(contact, 'keepAlive').map((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as { type: string; text: { body: string } }
    expect(body.type).toBe('text')
    return body.text.body
  })
}

for (const dialect of DIALECTS) {
  describe(`the keep-alive reminder (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('goes out exactly the lead time before the window closes, to a contact with an open case, decided and recorded', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', contact)

      f.setTime(REMINDER_AT - 1)
      await f.runDue()
      expect(remindersTo(f, contact)).toEqual([])

      f.setTime(REMINDER_AT)
      await f.runDue()
      expect(remindersTo(f, contact)).toEqual([KEEP_ALIVE_TEXT.en])
      const [request] = f.sentTo(contact)
      const [recorded] = await f.outboundTo(contact)
      // What Graph received is exactly what carewindow decided on and recorded.
      expect(recorded).toMatchObject({
        allowed: true,
        reason: 'IN_CARE_WINDOW',
        status: 'accepted',
        at: REMINDER_AT,
      })
      expect(request?.body.toString('utf8')).toBe(recorded?.body_json)
      expect(JSON.parse(recorded?.decision_json ?? '{}')).toMatchObject({
        allowed: true,
        reason: 'IN_CARE_WINDOW',
      })
    })

    it('is written in the case’s language, or in the channel’s default language when there is no text in it', async () => {
      const f = fixture()
      const dutch = f.newContact()
      const german = f.newContact()
      const unknown = f.newContact()
      for (const contact of [dutch, german, unknown]) await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', dutch, { language: 'nl' })
      await f.openCase('keepAlive', german, { language: 'de' })
      await f.openCase('keepAlive', unknown)

      f.setTime(REMINDER_AT)
      await f.runDue()
      expect(remindersTo(f, dutch)).toEqual([KEEP_ALIVE_TEXT.nl])
      expect(remindersTo(f, german)).toEqual([KEEP_ALIVE_TEXT.en])
      expect(remindersTo(f, unknown)).toEqual([KEEP_ALIVE_TEXT.en])
    })

    it('is not sent to contacts without an open case: none, a pending one or a resolved one', async () => {
      const f = fixture()
      const withoutCase = f.newContact()
      const pending = f.newContact()
      const resolved = f.newContact()
      for (const contact of [withoutCase, pending, resolved]) await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', pending, { status: 'pending' })
      await f.openCase('keepAlive', resolved, { status: 'resolved' })

      f.setTime(REMINDER_AT)
      await f.runDue()
      expect(f.graph.requests).toEqual([])
      for (const contact of [withoutCase, pending, resolved]) expect(await f.outboundTo(contact)).toEqual([])
    })

    it('is not sent on a channel that has not switched it on', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      await f.openCase('plain', contact)

      for (const instant of [T0 + DAY - KEEP_ALIVE_LEAD, T0 + DAY - 60 * 60_000, T0 + DAY]) {
        f.setTime(instant)
        await f.runDue()
      }
      expect(f.graph.requests).toEqual([])
      const channel = await f.channel('plain')
      expect(await f.store.getJob(contactJobId(JOB_KINDS.keepAlive, channel.id, contact))).toBeUndefined()
    })

    it('goes out once per window, at the latest window’s time, however many messages the customer sent', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.openCase('keepAlive', contact)
      for (const hours of [0, 1, 2]) {
        f.setTime(T0 + hours * HOUR)
        await f.customerWrites('keepAlive', contact)
      }

      f.setTime(REMINDER_AT)
      await f.runDue()
      expect(remindersTo(f, contact)).toEqual([])
      f.setTime(REMINDER_AT + 2 * HOUR)
      await f.runDue()
      f.setTime(REMINDER_AT + 2 * HOUR + 30 * 60_000)
      await f.runDue()
      expect(remindersTo(f, contact)).toEqual([KEEP_ALIVE_TEXT.en])
      expect(await f.outboundTo(contact)).toHaveLength(1)
    })

    it('is not sent twice when its job runs again (a crash before it was marked done)', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', contact)
      f.setTime(REMINDER_AT)
      await f.runDue()

      const channel = await f.channel('keepAlive')
      await f.store.scheduleJob(
        {
          id: contactJobId(JOB_KINDS.keepAlive, channel.id, contact),
          kind: JOB_KINDS.keepAlive,
          channelId: channel.id,
          contactId: contact,
          dueAt: REMINDER_AT,
          payload: { expires_at: T0 + DAY },
        },
        f.time(),
      )
      f.advance(60_000)
      expect(await f.runDue()).toBe(1)
      expect(remindersTo(f, contact)).toHaveLength(1)
      expect(await f.outboundTo(contact)).toHaveLength(1)
    })

    it('goes out again for the next window when the customer came back', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', contact)
      f.setTime(REMINDER_AT)
      await f.runDue()
      const comeback = REMINDER_AT + HOUR
      f.setTime(comeback)
      await f.customerWrites('keepAlive', contact)

      f.setTime(comeback + DAY - KEEP_ALIVE_LEAD - 1)
      await f.runDue()
      expect(remindersTo(f, contact)).toHaveLength(1)
      f.setTime(comeback + DAY - KEEP_ALIVE_LEAD)
      await f.runDue()
      expect(remindersTo(f, contact)).toHaveLength(2)
    })

    it('is not sent when the window closed before its job ran (a late scheduler)', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', contact)

      f.setTime(T0 + DAY)
      await f.runDue()
      expect(f.graph.requests).toEqual([])
      expect(await f.outboundTo(contact)).toEqual([])
      expect(await f.events({ type: 'window.closed', contact })).toHaveLength(1)
    })

    it('is refused by decide when the contact revoked consent: recorded as refused, announced, not sent, not retried', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('keepAlive', contact)
      await f.openCase('keepAlive', contact)
      f.advance(HOUR)
      const optOut = await f.api('DELETE', `/v1/channels/${NUMBERS.keepAlive}/contacts/${contact}/consent`)
      expect(optOut.status).toBe(200)

      f.setTime(REMINDER_AT)
      await f.runDue()
      for (const instant of [REMINDER_AT + HOUR, T0 + DAY, T0 + 3 * DAY]) {
        f.setTime(instant)
        await f.runDue()
      }

      expect(f.graph.requests).toEqual([])
      const recorded = await f.outboundTo(contact)
      expect(recorded).toHaveLength(1)
      expect(recorded[0]).toMatchObject({ allowed: false, reason: 'CONSENT_REVOKED', status: 'refused' })
      const refused = await f.events({ type: 'message.refused', contact })
      expect(refused).toHaveLength(1)
      expect(refused[0]?.data).toMatchObject({
        message_id: recorded[0]?.id,
        reason: 'CONSENT_REVOKED',
        error: { code: 131050 },
      })
      const channel = await f.channel('keepAlive')
      expect(await f.store.getJob(contactJobId(JOB_KINDS.keepAlive, channel.id, contact))).toMatchObject({
        status: 'done',
        attempts: 0,
      })
    })
  })
}

describe('the keep-alive reminder with two carewindow instances on one PostgreSQL', () => {
  const fixture = useFixture('postgres')

  it('goes out once per contact when both instances run the due jobs at the same time', async () => {
    const f = fixture()
    const contacts = Array.from({ length: 15 }, () => f.newContact())
    for (const contact of contacts) {
      await f.openCase('keepAlive', contact)
      await f.customerWrites('keepAlive', contact)
    }
    f.setTime(T0 + HOUR)
    for (const contact of contacts) await f.customerWrites('keepAlive', contact)
    const first = await f.secondGateway({ batchSize: 2 })
    const second = await f.secondGateway({ batchSize: 2 })

    // Both due for every contact: the reminder (120 min ahead) and window.expiring (30 min ahead).
    f.setTime(T0 + HOUR + DAY - EXPIRING_LEAD_KEEP_ALIVE_CHANNEL)
    const [ranByFirst, ranBySecond] = await Promise.all([first.scheduler.runDue(), second.scheduler.runDue()])
    await Promise.all([first.scheduler.runDue(), second.scheduler.runDue()])

    expect(ranByFirst + ranBySecond).toBe(contacts.length * 2)
    for (const contact of contacts) {
      expect(remindersTo(f, contact)).toEqual([KEEP_ALIVE_TEXT.en])
      expect(await f.outboundTo(contact)).toHaveLength(1)
    }
    expect(await f.events({ type: 'window.expiring' })).toHaveLength(contacts.length)
  })
})
