import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { signatureOf } from '../../src/channels/signature.js'
import { resolveConfig } from '../../src/config/config.js'
import { dashboardDirectory } from '../../src/http/routes/dashboard.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createLogger } from '../../src/shared/logging.js'

/** The composer on a Messenger Page in a real browser: the HUMAN_AGENT tag is offered only when it is allowed. */

const CHROMIUM = process.env.CAREWINDOW_CHROMIUM ?? '/usr/bin/chromium'
const DAY_MS = 86_400_000
const KEY = 'cw_messenger_browser_key_0123456789'
const PAGE_ID = '200000000000001'
const PAGE_SECRET = 'page-secret-browser-1'
const RECENT_USER = '7000000000000001'
const OLD_USER = '7000000000000002'

const ready = existsSync(CHROMIUM) && dashboardDirectory() !== null

if (!ready)
  describe('the dashboard’s composer on Messenger', () => {
    // Failing, not skipped: a suite that cannot run must not pass quietly.
    it('needs a browser and the built dashboard', () => {
      expect.fail(`needs ${CHROMIUM} (or CAREWINDOW_CHROMIUM) and the built dashboard (npm run build)`)
    })
  })
else
  describe('the dashboard’s composer on Messenger', { timeout: 120_000 }, () => {
    let directory: string
    let server: RunningServer
    let browser: Browser

    /** A user's message on the Page at `at`, as Meta posts it (signed). */
    async function userWrites(psid: string, at: number): Promise<void> {
      const text = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: PAGE_ID,
            time: at,
            messaging: [
              {
                sender: { id: psid },
                recipient: { id: PAGE_ID },
                timestamp: at,
                message: { mid: `m_${psid}_${String(at)}`, text: 'Hello' },
              },
            ],
          },
        ],
      })
      const response = await fetch(`${server.url}/webhooks/messenger`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signatureOf(text, PAGE_SECRET),
        },
        body: text,
      })
      expect(response.status).toBe(200)
    }

    async function openConversation(page: Page, psid: string): Promise<void> {
      await page.goto(`${server.url}/inbox?channel=${PAGE_ID}&contact=${psid}`)
      await page.getByLabel('API key').fill(KEY)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.locator('.window-state').textContent(), { timeout: 10_000 }).toBe('closed')
    }

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'carewindow-browser-messenger-'))
      const config = resolveConfig(
        {
          database: { url: `sqlite:${join(directory, 'carewindow.db')}` },
          server: { host: '127.0.0.1', port: 0 },
          tenants: [
            {
              id: 'acme',
              api_keys: [{ key: KEY }],
              channels: [
                {
                  platform: 'messenger',
                  id: PAGE_ID,
                  upstream: { mode: 'sandbox' },
                  app_secret: PAGE_SECRET,
                  verify_token: 'page-verify-token',
                },
              ],
            },
          ],
        },
        {},
        null,
      )
      server = await startServer({ config, logger: createLogger('silent') })
      // Two days ago: past the window, within HUMAN_AGENT's 7 days. Ten days ago: past both.
      await userWrites(RECENT_USER, Date.now() - 2 * DAY_MS)
      await userWrites(OLD_USER, Date.now() - 10 * DAY_MS)
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    })

    afterAll(async () => {
      await (browser as Browser | undefined)?.close()
      await (server as RunningServer | undefined)?.close()
      await rm(directory, { recursive: true, force: true })
    })

    it('offers HUMAN_AGENT within 7 days, and the tagged reply would be allowed', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await openConversation(page, RECENT_USER)
      const tag = page.getByRole('combobox', { name: 'Message tag' })
      await expect.poll(() => tag.count(), { timeout: 10_000 }).toBe(1)
      expect(await page.getByRole('button', { name: 'Template' }).count()).toBe(0)
      // The update tags ended on 2026-04-27 (MSG-3): today only HUMAN_AGENT is offered, besides no tag.
      const options = tag.locator('option')
      const offered: (string | null)[] = []
      for (let index = 0; index < (await options.count()); index++)
        offered.push(await options.nth(index).getAttribute('value'))
      expect(offered).toEqual(['', 'HUMAN_AGENT'])
      await tag.selectOption('HUMAN_AGENT')
      await page.getByRole('textbox', { name: 'Message' }).fill('A person here: your refund is on its way')
      await expect.poll(() => page.locator('.dry-run').textContent()).toContain('Would be allowed')
      await page.getByRole('button', { name: 'Send' }).click()
      await expect
        .poll(() => page.locator('.composer [role="status"], .composer [role="alert"]').textContent())
        .toBe('Sent.')
      await page.close()
    })

    it('offers no tag after 7 days, and says why', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await openConversation(page, OLD_USER)
      await expect
        .poll(() => page.locator('.tag-refused').textContent(), { timeout: 10_000 })
        .toContain('no message tag is allowed')
      expect(await page.getByRole('combobox', { name: 'Message tag' }).count()).toBe(0)
      await page.close()
    })
  })
