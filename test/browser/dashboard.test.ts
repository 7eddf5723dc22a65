import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { resolveConfig } from '../../src/config/config.js'
import { dashboardDirectory } from '../../src/http/routes/dashboard.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createLogger } from '../../src/shared/logging.js'

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real carewindow on SQLite
 * with its sandbox channel, over a real socket: one server and one browser for the file.
 */

const CHROMIUM = process.env.CAREWINDOW_CHROMIUM ?? '/usr/bin/chromium'
const HOUR_MS = 3_600_000
const OPEN_CONTACT = '31612340001'
const CLOSED_CONTACT = '31612340002'
const HELD_CONTACT = '31612340003'
const LATE_CONTACT = '31612340004'
const TALKATIVE_CONTACT = '31612340005'

const missing: string[] = []
if (!existsSync(CHROMIUM))
  missing.push(
    `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CAREWINDOW_CHROMIUM to a Chromium binary`,
  )
if (dashboardDirectory() === null) missing.push('the dashboard is not built: run npm run build')

if (missing.length > 0)
  describe('the dashboard in a browser', () => {
    // Failing, not skipped: a suite that cannot run must not pass quietly.
    it('needs a browser and the built dashboard', () => {
      expect.fail(missing.join('; '))
    })
  })
else
  describe('the dashboard in a browser', { timeout: 120_000 }, () => {
    let directory: string
    let server: RunningServer
    let browser: Browser
    let key: string
    let channelId: string

    async function inbound(from: string, at?: number): Promise<void> {
      const response = await fetch(`${server.url}/v1/sandbox/${channelId}/inbound`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from,
          text: 'Hello, any news?',
          ...(at === undefined ? {} : { at: new Date(at).toISOString() }),
        }),
      })
      expect(response.status).toBe(202)
    }

    async function signIn(page: Page, path = '/'): Promise<void> {
      await page.goto(`${server.url}${path}`)
      await page.getByLabel('API key').fill(key)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(true)
    }

    async function api(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; json: unknown }> {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown) }
    }

    const contactButton = (page: Page, contact: string) => page.locator(`button[data-contact="${contact}"]`)

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'carewindow-browser-'))
      const config = resolveConfig(
        {
          database: { url: `sqlite:${join(directory, 'carewindow.db')}` },
          server: { host: '127.0.0.1', port: 0 },
        },
        {},
        null,
      )
      server = await startServer({ config, logger: createLogger('silent') })
      if (server.sandbox === null) throw new Error('the sandbox was not created')
      key = server.sandbox.apiKey
      channelId = server.sandbox.channel.externalId
      // A rate card, so that what the template costs is a price to see.
      const card = await fetch(`${server.url}/v1/rate-cards/browser-test`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          label: 'Browser test card',
          currency: 'EUR',
          effective_from: '2020-01-01',
          rates: { NL: { marketing: '0.1091', utility: '0.0456', authentication: '0.0456', service: '0' } },
        }),
      })
      expect(card.status, await card.text()).toBeLessThan(300)
      // One window open for a day, one that closed an hour ago.
      await inbound(OPEN_CONTACT)
      await inbound(CLOSED_CONTACT, Date.now() - 25 * HOUR_MS)
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    })

    afterAll(async () => {
      // Either may be missing when beforeAll failed part way.
      await (browser as Browser | undefined)?.close()
      await (server as RunningServer | undefined)?.close()
      await rm(directory, { recursive: true, force: true })
    })

    it('refuses a wrong key with a clear message', async () => {
      const page = await browser.newPage()
      await page.goto(server.url)
      await page.getByLabel('API key').fill('cw_not_a_key')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown or revoked')
      await page.close()
    })

    it('signs in, and the countdown ticks in the colour of the time left', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page)
      const open = contactButton(page, OPEN_CONTACT).locator('.countdown')
      await expect.poll(() => open.getAttribute('data-tone')).toBe('open')
      const first = await open.locator('.countdown-time').textContent()
      await expect
        .poll(() => open.locator('.countdown-time').textContent(), { timeout: 5_000 })
        .not.toBe(first)
      expect(await contactButton(page, CLOSED_CONTACT).locator('.countdown').getAttribute('data-tone')).toBe(
        'closed',
      )
      // The filters ask the API: "closed" shows only the closed window.
      await page.getByRole('button', { name: 'Closed', exact: true }).click()
      await expect.poll(() => contactButton(page, OPEN_CONTACT).count()).toBe(0)
      await expect.poll(() => contactButton(page, CLOSED_CONTACT).count()).toBe(1)
      await page.close()
    })

    it('refuses free text to a closed window, sends the Issue Resolution template, and reopens the window live', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page)
      await contactButton(page, CLOSED_CONTACT).click()
      await expect.poll(() => page.locator('.window-state').textContent()).toBe('closed')
      // The composer starts on templates for a closed window; an agent who insists on free text is refused.
      await page.getByRole('button', { name: 'Free text' }).click()
      await page.getByRole('textbox', { name: 'Message' }).fill('Your ticket is solved')
      await page.getByRole('button', { name: 'Send' }).click()
      await expect.poll(() => page.locator('.composer [role="alert"]').textContent()).toMatch(/^Refused: /)
      expect(await page.getByRole('button', { name: 'Template' }).getAttribute('aria-pressed')).toBe('true')
      // The Issue Resolution template is offered first; its parameters, preview, then the dry run's decision and price.
      const template = page.getByRole('combobox', { name: 'Template' })
      expect(await template.locator('option').first().textContent()).toContain('Issue Resolution')
      for (const field of await page.locator('.composer input[required]').all()) await field.fill('T-1042')
      await expect.poll(() => page.locator('.preview').textContent()).toContain('T-1042')
      await expect.poll(() => page.locator('.dry-run').textContent()).toContain('Would be allowed')
      const dryRunPrice = await page.locator('.dry-run-price').textContent()
      await page.getByRole('button', { name: 'Send' }).click()
      await expect.poll(() => page.locator('.composer [role="status"]').textContent()).toContain('sent')
      // The timeline shows the template with its decision and price.
      const sent = page.locator('.message.outbound .decision.allowed').last()
      await expect.poll(() => sent.count()).toBe(1)
      expect(await sent.textContent()).toContain('ISSUE_RESOLUTION')
      expect(dryRunPrice).toBe('0.0456 EUR')
      expect(await sent.locator('.price').textContent()).toBe('Price 0.0456 EUR')
      // The customer answers: the window opens on the page without a reload, through the live stream.
      // A mark on this page's window: still there afterwards means the page was not reloaded.
      await page.evaluate('window.notReloaded = true')
      await inbound(CLOSED_CONTACT)
      await expect.poll(() => page.locator('.window-state').textContent(), { timeout: 10_000 }).toBe('open')
      expect(await page.evaluate<unknown>('window.notReloaded')).toBe(true)
      expect(await page.getByRole('button', { name: 'Free text' }).getAttribute('aria-pressed')).toBe('true')
      await page.close()
    })

    it('checks a template’s parameters as Graph does before anything is sent', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page)
      // The customer of the closed window wrote back in the test before: any contact will do, templates chosen by hand.
      await contactButton(page, OPEN_CONTACT).click()
      await page.getByRole('button', { name: 'Template' }).click()
      const field = page.locator('.composer input[required]').first()
      // Graph refuses parameter text with more than four spaces in a row (132012): so does the form, at once.
      await field.fill('T-1042     urgent')
      await expect.poll(() => page.locator('#composer-problem').textContent()).toContain('132012')
      expect(await page.locator('#composer-problem').textContent()).toContain(
        'more than four consecutive spaces',
      )
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true)
      expect(await page.locator('.dry-run').count()).toBe(0)
      for (const each of await page.locator('.composer input[required]').all())
        await each.fill('T-1042 urgent')
      await expect.poll(() => page.locator('#composer-problem').count()).toBe(0)
      await expect.poll(() => page.locator('.dry-run').textContent()).toContain('Would be allowed')
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(false)
      await page.close()
    })

    it('shows the message’s cost in the costs chart', async () => {
      const search = await fetch(
        `${server.url}/v1/messages?direction=outbound&allowed=true&contact_id=${CLOSED_CONTACT}`,
        { headers: { authorization: `Bearer ${key}` } },
      )
      const sent = (
        (await search.json()) as { data: { price: { amount: string; currency: string } | null }[] }
      ).data[0]
      expect(sent?.price).toMatchObject({ amount: '0.0456', currency: 'EUR' })
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page, '/costs')
      const category = page.locator('figure[data-dimension="category"]')
      await expect.poll(() => category.textContent()).toContain('1 msg')
      expect(await category.textContent()).toContain('utility')
      expect(await category.textContent()).toContain('0.0456 EUR')
      await expect.poll(() => page.locator('.totals').textContent()).toContain('0.0456 EUR for 1 messages')
      expect(await page.locator('figure[data-dimension="day"] .bar').count()).toBeGreaterThan(0)
      await page.close()
    })

    it('works on a 390×844 phone: the inbox, then a conversation with a way back', async () => {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      })
      const page = await context.newPage()
      await signIn(page, '/inbox')
      await expect.poll(() => contactButton(page, OPEN_CONTACT).isVisible()).toBe(true)
      // Nothing wider than the screen.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390)
      await contactButton(page, OPEN_CONTACT).click()
      await expect.poll(() => page.locator('.window-state').isVisible()).toBe(true)
      expect(await contactButton(page, OPEN_CONTACT).isVisible()).toBe(false)
      await page.getByRole('button', { name: '← Contacts' }).click()
      await expect.poll(() => contactButton(page, OPEN_CONTACT).isVisible()).toBe(true)
      await context.close()
    })

    it('prices the period under the 2026-10-01 change in the what-if form, and shows the difference', async () => {
      // The same utility template again, now inside the window the customer reopened: free today, charged
      // under the 2026-10-01 change.
      const listed = await api(
        'GET',
        `/v1/messages?direction=outbound&allowed=true&contact_id=${CLOSED_CONTACT}`,
      )
      const first = (listed.json as { data: { id: string }[] }).data[0]
      const detail = await api('GET', `/v1/messages/${first?.id ?? ''}`)
      const resent = await api(
        'POST',
        `/v21.0/${channelId}/messages`,
        (detail.json as { body: unknown }).body,
      )
      expect(resent.status, JSON.stringify(resent.json)).toBe(200)
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page, '/costs')
      await expect.poll(() => page.locator('.totals').textContent()).toContain('0.0456 EUR for 2 messages')
      await page.getByRole('checkbox', { name: 'The 2026-10-01 pricing change' }).check()
      await page.getByRole('button', { name: 'Compare' }).click()
      const total = page.locator('.what-if-result tr.what-if-total')
      await expect.poll(() => total.count()).toBe(1)
      const cells = await total.locator('td').allTextContents()
      expect(cells[0]).toBe('0.0456 EUR')
      expect(cells[1]).toBe('0.0912 EUR')
      expect(cells[2]).toBe('+0.0456 EUR')
      const utility = page.locator('.what-if-result tbody tr', { hasText: 'utility' })
      expect(await utility.locator('.difference').textContent()).toBe('+0.0456 EUR')
      await page.close()
    })

    it('filters the contacts with a held reply waiting, shows it and its case in the conversation, and cancels it', async () => {
      await inbound(HELD_CONTACT, Date.now() - 25 * HOUR_MS)
      const automations = `/v1/channels/${channelId}/automations`
      expect((await api('PUT', automations, { hold_replies: { enabled: true } })).status).toBe(200)
      try {
        const held = await api('POST', `/v21.0/${channelId}/messages`, {
          messaging_product: 'whatsapp',
          to: HELD_CONTACT,
          type: 'text',
          text: { body: 'The fix is live' },
        })
        expect(held.status, JSON.stringify(held.json)).toBe(202)
      } finally {
        expect((await api('PUT', automations, { hold_replies: { enabled: false } })).status).toBe(200)
      }
      const opened = await api('POST', `/v1/channels/${channelId}/cases`, {
        contact_id: HELD_CONTACT,
        subject: 'Router does not connect',
      })
      expect(opened.status).toBe(201)
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page, '/inbox')
      await expect.poll(() => contactButton(page, OPEN_CONTACT).count()).toBe(1)
      await page.getByRole('button', { name: 'Held reply waiting' }).click()
      await expect.poll(() => contactButton(page, OPEN_CONTACT).count()).toBe(0)
      await expect.poll(() => contactButton(page, HELD_CONTACT).count()).toBe(1)
      expect(await page.locator('.contact-list button[data-contact]').count()).toBe(1)
      await page.getByRole('button', { name: 'Open case' }).click()
      await expect.poll(() => contactButton(page, HELD_CONTACT).count()).toBe(1)
      await contactButton(page, HELD_CONTACT).click()
      const cases = page.getByRole('list', { name: 'Cases' })
      await expect.poll(() => cases.textContent()).toContain('Router does not connect')
      const holds = page.getByRole('list', { name: 'Held replies' })
      await expect.poll(() => holds.textContent()).toContain('The fix is live')
      expect(await holds.locator('.hold-status').textContent()).toBe('held')
      await page.getByRole('button', { name: 'Cancel held reply' }).click()
      await expect.poll(() => holds.locator('.hold-status').textContent()).toBe('cancelled')
      expect(await page.getByRole('button', { name: 'Cancel held reply' }).count()).toBe(0)
      await page.getByRole('button', { name: 'Held reply waiting' }).click()
      await expect.poll(() => page.locator('.empty').first().textContent()).toBe('No contacts match.')
      expect(await contactButton(page, HELD_CONTACT).count()).toBe(0)
      await page.close()
    })

    it('holds free text to a closed window until the customer writes, when the agent asks for it', async () => {
      await inbound(LATE_CONTACT, Date.now() - 25 * HOUR_MS)
      const automations = `/v1/channels/${channelId}/automations`
      expect((await api('PUT', automations, { hold_replies: { enabled: true } })).status).toBe(200)
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
        await signIn(page, `/inbox?channel=${channelId}&contact=${LATE_CONTACT}`)
        await expect.poll(() => page.locator('.window-state').textContent()).toBe('closed')
        await page.getByRole('button', { name: 'Free text' }).click()
        await page.getByRole('textbox', { name: 'Message' }).fill('We fixed it')
        const send = page.getByRole('button', { name: 'Send' })
        const holdOption = page.getByRole('checkbox', { name: 'Hold until the customer writes' })
        await expect.poll(() => holdOption.isVisible()).toBe(true)
        expect(await send.isDisabled()).toBe(true)
        await holdOption.check()
        await expect.poll(() => send.isDisabled()).toBe(false)
        await send.click()
        await expect
          .poll(() => page.locator('.composer [role="status"]').textContent())
          .toContain('Held until the customer writes')
        const holds = page.getByRole('list', { name: 'Held replies' })
        await expect.poll(() => holds.textContent()).toContain('We fixed it')
        expect(await holds.locator('.hold-status').textContent()).toBe('held')
        await page.close()
      } finally {
        expect((await api('PUT', automations, { hold_replies: { enabled: false } })).status).toBe(200)
      }
    })

    it('shows a long conversation’s newest 100 messages, and the older ones on request', async () => {
      for (let index = 0; index < 103; index++) await inbound(TALKATIVE_CONTACT)
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await signIn(page)
      await contactButton(page, TALKATIVE_CONTACT).click()
      const messages = page.locator('.timeline .message')
      await expect.poll(() => messages.count()).toBe(100)
      // Each message with its text, read in the same request.
      expect(await messages.first().locator('.text').textContent()).toBe('Hello, any news?')
      await page.getByRole('button', { name: 'Show older messages' }).click()
      await expect.poll(() => messages.count()).toBe(103)
      expect(await page.getByRole('button', { name: 'Show older messages' }).count()).toBe(0)
      await page.close()
    })

    it('can be used with the keyboard alone: sign in, open a conversation, reply', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await page.goto(server.url)
      /** Presses Tab until the focused element matches `selector`, as a keyboard user would; fails if it never does. */
      const tabTo = async (selector: string) => {
        for (let presses = 0; presses < 80; presses++) {
          await page.keyboard.press('Tab')
          if ((await page.locator(`${selector}:focus`).count()) === 1) return
        }
        throw new Error(`Tab never reached ${selector}`)
      }
      await tabTo('#api-key')
      await page.keyboard.type(key)
      await page.keyboard.press('Enter')
      await expect.poll(() => page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(true)
      await tabTo(`button[data-contact="${OPEN_CONTACT}"]`)
      await page.keyboard.press('Enter')
      await expect.poll(() => page.locator('#conversation-heading').textContent()).toBe(`+${OPEN_CONTACT}`)
      await tabTo('#composer-text')
      await page.keyboard.type('Thanks, we are on it')
      await tabTo('.composer button[type="submit"]')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.locator('.composer [role="status"]').textContent()).toBe('Sent.')
      await page.close()
    })
  })
