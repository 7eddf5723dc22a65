/** A carewindow config and files of notifications for the import and replay tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN } from '../support/test-gateway.js'

export const PAGE_ID = '1234567890'

/** One WhatsApp number and one Messenger Page, sandboxed, of a tenant with a webhook (which an import must not use). */
export function historyConfig(databaseUrl: string, options: { readonly bodyLimitBytes?: number } = {}) {
  const sandbox = { mode: 'sandbox' }
  return {
    log_level: 'warn',
    database: { url: databaseUrl },
    ...(options.bodyLimitBytes === undefined ? {} : { server: { body_limit_bytes: options.bodyLimitBytes } }),
    tenants: [
      {
        id: 'acme',
        webhook: { url: 'http://127.0.0.1:9/never-called', secret: 'acme-webhook-signing-secret' },
        api_keys: [{ name: 'test', key: 'cw_test_acme_key_0123456789abcdef' }],
        channels: [
          {
            platform: 'whatsapp',
            id: PHONE_NUMBER_ID,
            upstream: sandbox,
            app_secret: APP_SECRET,
            verify_token: VERIFY_TOKEN,
          },
          {
            platform: 'messenger',
            id: PAGE_ID,
            upstream: sandbox,
            app_secret: APP_SECRET,
            verify_token: VERIFY_TOKEN,
          },
        ],
      },
    ],
  }
}

/** A temporary directory for a suite's files, removed by `remove()`. */
export async function scratchDirectory() {
  const path = await mkdtemp(join(tmpdir(), 'carewindow-history-'))
  return {
    path,
    async file(name: string, content: string | Buffer): Promise<string> {
      const file = join(path, name)
      await writeFile(file, content)
      return file
    },
    remove: () => rm(path, { recursive: true, force: true }),
  }
}

export { carewindow, type CliRun } from '../support/run-cli.js'
