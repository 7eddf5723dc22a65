/**
 * `npm run docs:screenshots`: the dashboard's screenshots in docs/ (dashboard-*.png), taken with Debian's chromium
 * (`CAREWINDOW_CHROMIUM` for another) from a carewindow on a throwaway SQLite database with its sandbox, a rate card
 * and a few customers. Build the dashboard first (`npm run build`).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { resolveConfig } from '../src/config/config.js'
import { startServer } from '../src/server.js'
import { createLogger } from '../src/shared/logging.js'

const HOUR_MS = 3_600_000
const directory = await mkdtemp(join(tmpdir(), 'carewindow-screenshots-'))
const config = resolveConfig(
  { database: { url: `sqlite:${join(directory, 'carewindow.db')}` }, server: { host: '127.0.0.1', port: 0 } },
  {},
  null,
)
const server = await startServer({ config, logger: createLogger('silent') })
const browser = await chromium.launch({
  executablePath: process.env.CAREWINDOW_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
})
try {
  if (server.sandbox === null) throw new Error('no sandbox')
  const key = server.sandbox.apiKey
  const channel = server.sandbox.channel.externalId
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (response.status >= 300 && response.status !== 400)
      throw new Error(`${path}: ${await response.text()}`)
  }
  await call('PUT', '/v1/rate-cards/example', {
    label: 'Example card',
    currency: 'EUR',
    effective_from: '2020-01-01',
    rates: { NL: { marketing: '0.1091', utility: '0.0456', authentication: '0.0456', service: '0' } },
  })
  const customers: [string, number][] = [
    ['31612345678', 0.2],
    ['31687654321', 23.1],
    ['31611122233', 23.9],
    ['31644455566', 26],
    ['31677788899', 5],
  ]
  for (const [from, hoursAgo] of customers)
    await call('POST', `/v1/sandbox/${channel}/inbound`, {
      from,
      text: 'Hi, is there any news on my ticket?',
      at: new Date(Date.now() - hoursAgo * HOUR_MS).toISOString(),
    })
  const send = (to: string, body: object) =>
    call('POST', `/v21.0/${channel}/messages`, { messaging_product: 'whatsapp', to, ...body })
  await send('31612345678', { type: 'text', text: { body: 'We are looking into it right now.' } })
  await send('31644455566', { type: 'text', text: { body: 'Sorry for the wait!' } })
  await send('31644455566', {
    type: 'template',
    template: {
      name: 'ticket_update',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'ticket_id', text: 'T-1042' }] },
      ],
    },
  })
  const shoot = async (page: Page, path: string, file: string) => {
    await page.goto(`${server.url}${path}`)
    // Never "network idle": the live stream stays open. The pages read their data in well under this.
    await page.waitForTimeout(1500)
    await page.screenshot({ path: new URL(`../docs/${file}`, import.meta.url).pathname })
  }
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await desktop.goto(server.url)
  await desktop.getByLabel('API key').fill(key)
  await desktop.getByRole('button', { name: 'Sign in' }).click()
  await desktop.getByRole('navigation', { name: 'Pages' }).waitFor()
  await shoot(desktop, `/inbox?channel=${channel}&contact=31644455566`, 'dashboard-inbox.png')
  await shoot(desktop, '/costs', 'dashboard-costs.png')
  await shoot(desktop, '/templates', 'dashboard-templates.png')
  await shoot(desktop, '/health', 'dashboard-health.png')
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
  const mobile = await phone.newPage()
  await mobile.goto(server.url)
  await mobile.getByLabel('API key').fill(key)
  await mobile.getByRole('button', { name: 'Sign in' }).click()
  await mobile.getByRole('navigation', { name: 'Pages' }).waitFor()
  await shoot(mobile, '/inbox', 'dashboard-phone.png')
  console.log('wrote docs/dashboard-{inbox,costs,templates,health,phone}.png')
} finally {
  await browser.close()
  await server.close()
  await rm(directory, { recursive: true, force: true })
}
