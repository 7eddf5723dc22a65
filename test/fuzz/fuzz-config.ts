import {
  API_KEY,
  APP_SECRET,
  OTHER_API_KEY,
  OTHER_APP_SECRET,
  OTHER_TENANT_PHONE_NUMBER_ID,
  PHONE_NUMBER_ID,
  POSTMAN_PHONE_NUMBER_ID,
  testConfigFile,
  VERIFY_TOKEN,
} from '../support/test-gateway.js'
import { EXAMPLE_PAGE_ID } from '../e2e/fixtures/messenger-examples.js'

/**
 * The carewindow the fuzz suite attacks: the end-to-end tests' two tenants and their WhatsApp numbers, plus a
 * sandbox number and a Messenger Page for each tenant, so every route has a channel it works on.
 */

/** The run's clock starts here (a few days after Meta's webhook examples), then runs like the system clock. */
export const FUZZ_EPOCH = Date.UTC(2025, 5, 20, 9, 0, 0)

export type TenantName = 'acme' | 'globex'

export const TENANT_KEYS: Readonly<Record<TenantName, string>> = { acme: API_KEY, globex: OTHER_API_KEY }
/** Each tenant's key with the read role: every route that writes refuses it, and it writes nothing. */
export const READ_KEYS: Readonly<Record<TenantName, string>> = {
  acme: 'cw_fuzz_acme_read_key_0123456789',
  globex: 'cw_fuzz_globex_read_key_0123456789',
}
export const TENANT_SECRETS: Readonly<Record<TenantName, string>> = {
  acme: APP_SECRET,
  globex: OTHER_APP_SECRET,
}

export const SANDBOX_PHONE_NUMBER_ID = '15550101234'
export const GLOBEX_PAGE_ID = '109876543210987'

export interface FuzzChannel {
  readonly id: string
  readonly platform: 'whatsapp' | 'messenger'
  readonly tenant: TenantName
}

export const CHANNELS = {
  /** Templates, and automations that hold replies and re-engage. */
  whatsapp: { id: PHONE_NUMBER_ID, platform: 'whatsapp', tenant: 'acme' },
  postman: { id: POSTMAN_PHONE_NUMBER_ID, platform: 'whatsapp', tenant: 'acme' },
  sandbox: { id: SANDBOX_PHONE_NUMBER_ID, platform: 'whatsapp', tenant: 'acme' },
  page: { id: EXAMPLE_PAGE_ID, platform: 'messenger', tenant: 'acme' },
  globexWhatsapp: { id: OTHER_TENANT_PHONE_NUMBER_ID, platform: 'whatsapp', tenant: 'globex' },
  globexPage: { id: GLOBEX_PAGE_ID, platform: 'messenger', tenant: 'globex' },
} as const satisfies Record<string, FuzzChannel>

export type ChannelName = keyof typeof CHANNELS

export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[]

interface ChannelEntry {
  readonly id: string
  [field: string]: unknown
}

interface TenantEntry {
  readonly id: string
  channels: ChannelEntry[]
  api_keys: object[]
  [field: string]: unknown
}

/**
 * {@link testConfigFile} with the fuzz suite's additions: the acme tenant's main number holds replies, keeps
 * windows alive and re-engages; acme gets a sandbox number (on a WhatsApp Business Account, so its templates sync)
 * and a Messenger Page on the fake Messenger Graph;
 * globex a sandbox Page. Webhooks for acme go to a receiver; the inbox never lags behind.
 */
export function fuzzConfigFile(options: {
  readonly databaseUrl: string
  readonly graphUrl: string
  readonly messengerGraphUrl: string
  readonly webhookUrl: string
}): Record<string, unknown> {
  const file = testConfigFile({
    databaseUrl: options.databaseUrl,
    graphUrl: options.graphUrl,
    webhookUrl: options.webhookUrl,
  })
  const tenants = file.tenants as TenantEntry[]
  const [acme, globex] = tenants
  if (acme === undefined || globex === undefined) throw new Error('the test config has two tenants')
  acme.api_keys.push({ name: 'reader', key: READ_KEYS.acme, role: 'read' })
  globex.api_keys.push({ name: 'reader', key: READ_KEYS.globex, role: 'read' })
  acme.channels = acme.channels.map((channel) =>
    channel.id === PHONE_NUMBER_ID
      ? {
          ...channel,
          automations: {
            keep_alive: { enabled: true, lead_minutes: 60 },
            reengagement: { enabled: true, template: { name: 'ticket_update', language: 'en' } },
            hold_replies: { enabled: true, expire_after_hours: 72 },
          },
        }
      : channel,
  )
  acme.channels.push(
    {
      platform: 'whatsapp',
      id: SANDBOX_PHONE_NUMBER_ID,
      upstream: { mode: 'sandbox' },
      app_secret: APP_SECRET,
      verify_token: VERIFY_TOKEN,
      // The account of Meta's example notifications: template updates about it sync the sandbox's templates.
      waba_id: '102290129340398',
    },
    {
      platform: 'messenger',
      id: EXAMPLE_PAGE_ID,
      upstream: { mode: 'cloud', base_url: options.messengerGraphUrl, access_token: 'EAAGacmeFuzzPageToken' },
      app_secret: APP_SECRET,
      verify_token: VERIFY_TOKEN,
      settings: { auto_human_agent_tag: true },
    },
  )
  globex.channels.push({
    platform: 'messenger',
    id: GLOBEX_PAGE_ID,
    upstream: { mode: 'sandbox' },
    app_secret: OTHER_APP_SECRET,
    verify_token: 'globex-verify-token',
  })
  return { ...file, inbox: { max_lag_ms: 0 }, upstream: { timeout_ms: 5_000, retries: 0 } }
}
