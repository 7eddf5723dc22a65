import { describe, expect, it } from 'vitest'
import { DAY, DIALECTS, MINUTE, T0, useFixture } from './automations-fixture.js'

/** What Graph received for a contact on the rated channel: text bodies as they are, templates by name. */
function sentBodies(requests: readonly { readonly body: Buffer }[]): string[] {
  return requests.map((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as {
      type: string
      text?: { body: string }
      template?: { name: string }
    }
    return body.type === 'text' ? (body.text?.body ?? '') : `template:${body.template?.name ?? ''}`
  })
}

for (const dialect of DIALECTS) {
  describe(`throughput limits on carewindow's own sends (${dialect})`, () => {
    // The throttled release is logged as a failed job, which is tried again: that one warning is expected.
    const fixture = useFixture(dialect, { allowProblems: true })

    it('holds a released reply to the pair rate: throttled right after the re-engagement, sent when tried again', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('rated', contact)
      f.setTime(T0 + DAY)
      await f.runDue()
      const held = await f.businessSends('rated', {
        messaging_product: 'whatsapp',
        to: contact,
        type: 'text',
        text: { body: 'Your kettle is ready.' },
      })
      expect(held.status).toBe(202)
      await f.runDue()
      expect(sentBodies(f.sentTo(contact, 'rated'))).toEqual(['template:ticket_update'])

      // The customer answers the invitation at once: the release is the second message to them inside the minute,
      // and would wait longer than a send waits for its slot.
      await f.customerWrites('rated', contact)
      await f.runDue()

      expect(sentBodies(f.sentTo(contact, 'rated'))).toEqual(['template:ticket_update'])
      const afterThrottle = await f.outboundTo(contact)
      expect(afterThrottle.map((message) => message.status)).toContain('throttled')
      expect(f.problems.some((line) => line.includes('pair rate limit was reached'))).toBe(true)

      // The job's lease runs out and it is tried again, past the pair interval.
      f.advance(2 * MINUTE)
      await f.runDue()

      expect(sentBodies(f.sentTo(contact, 'rated'))).toEqual([
        'template:ticket_update',
        'Your kettle is ready.',
      ])
      const holds = await f.holdsOf(contact)
      expect(holds.map((hold) => hold.status)).toEqual(['released'])
    })
  })
}
