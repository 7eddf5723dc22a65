import { describe, expect, it } from 'vitest'
import { DAY, DIALECTS, HOUR, T0, useFixture } from './automations-fixture.js'

const iso = (instant: number) => new Date(instant).toISOString()

/**
 * What the business is told of a window is recorded on the window itself (window-lifecycle.ts), so each window is
 * announced open once and closed once whichever path gets there first: the scheduler of one instance or another, a
 * customer's message, or a restart after the window closed while carewindow was down.
 */
for (const dialect of DIALECTS) {
  describe(`the window lifecycle (${dialect})`, () => {
    const fixture = useFixture(dialect)

    it('announces a window that closed while carewindow was down once after the restart, though two instances run their rounds at once', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      // Down from before the expiry until five hours after it; then two instances start on the same database.
      f.setTime(T0 + DAY + 5 * HOUR)
      const [first, second] = [await f.secondGateway(), await f.secondGateway()]
      await Promise.all([first.scheduler.runDue(), second.scheduler.runDue()])
      await Promise.all([first.scheduler.runDue(), second.scheduler.runDue()])

      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed).toHaveLength(1)
      expect(closed[0]).toMatchObject({
        created_at: iso(T0 + DAY + 5 * HOUR),
        window: { state: 'closed', expires_at: iso(T0 + DAY) },
      })
    })

    it('announces the close once when the customer writes after the restart before the scheduler’s round, then opens the new window once', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + DAY + 5 * HOUR)
      const restarted = await f.secondGateway()
      await f.customerWrites('plain', contact)
      await restarted.scheduler.runDue()
      await f.runDue()

      expect(
        (await f.events({ type: 'window.closed', contact })).map((event) => event.window.expires_at),
      ).toEqual([iso(T0 + DAY)])
      expect(
        (await f.events({ type: 'window.opened', contact })).map((event) => event.window.expires_at).sort(),
      ).toEqual([iso(T0 + DAY), iso(T0 + 2 * DAY + 5 * HOUR)])
    })

    it('does not announce again a close the scheduler announced when the customer comes back, nor when its job runs again', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + DAY)
      await f.runDue()
      f.setTime(T0 + DAY + HOUR)
      await f.customerWrites('plain', contact)
      // The old close's job runs again on another instance (its lease ran out as it finished, say): nothing new.
      await (await f.secondGateway()).scheduler.runDue()

      expect(await f.events({ type: 'window.closed', contact })).toHaveLength(1)
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(2)
    })

    it('announces nothing new when the customer writes inside an open window, and closes the extended window once', async () => {
      const f = fixture()
      const contact = f.newContact()
      await f.customerWrites('plain', contact)
      f.setTime(T0 + 20 * HOUR)
      await f.customerWrites('plain', contact)
      f.setTime(T0 + DAY)
      await f.runDue()
      expect(await f.events({ type: 'window.closed', contact })).toEqual([])

      f.setTime(T0 + 20 * HOUR + DAY)
      await f.runDue()
      const closed = await f.events({ type: 'window.closed', contact })
      expect(closed.map((event) => event.window.expires_at)).toEqual([iso(T0 + 20 * HOUR + DAY)])
      expect(await f.events({ type: 'window.opened', contact })).toHaveLength(1)
    })
  })
}
