import type { Template } from '../domain/index.js'
import { randomToken } from '../shared/ids.js'
import { graphTemplateJson } from './whatsapp/graph-template-json.js'
import { templateFromGraph } from './whatsapp/graph-templates.js'
import type { UpstreamChannel } from './upstream.js'

/** Where the sandbox's links point: nowhere real. */
export const SANDBOX_ORIGIN = 'https://sandbox.carewindow.invalid'

/** What the sandbox answers: a status and Graph's JSON. */
export interface SandboxAnswer {
  readonly status: number
  readonly json: unknown
}

/** Graph's page size when the call gives no `limit`, and the largest it takes. */
const DEFAULT_LIMIT = 25
const MAX_LIMIT = 1_000

/** A simulated account's templates, as Graph lists them, by `name` and `language`. */
type Account = Map<string, Record<string, unknown>>

/**
 * The message templates of the sandbox's WhatsApp Business Accounts, kept in memory per WABA id, so that a template
 * sync against the sandbox reads a list of Meta's side and not carewindow's own registry. An account starts, the
 * first time it is asked for, with the templates carewindow has for the channel (those not deleted): what the
 * sandbox listed before it kept a list of its own. Creating a template adds it approved — the sandbox does not
 * simulate Meta's review — and deleting one removes it, so the next sync finds it gone. The list is paged as
 * Graph pages it (`limit`, `after`, `paging.next`).
 */
export class SandboxTemplates<C extends UpstreamChannel> {
  private readonly accounts = new Map<string, Promise<Account>>()

  constructor(private readonly templatesOf: (channel: C) => Promise<readonly Template[]>) {}

  async list(
    channel: C,
    wabaId: string,
    version: string,
    query: Readonly<Record<string, string>>,
  ): Promise<SandboxAnswer> {
    const name = query.name
    const status = query.status?.toUpperCase()
    const all = [...(await this.account(channel, wabaId)).values()].filter(
      (entry) =>
        (name === undefined || String(entry.name).includes(name)) &&
        (status === undefined || entry.status === status),
    )
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number.parseInt(query.limit ?? '', 10) || DEFAULT_LIMIT))
    const start = offsetOf(query.after)
    const data = all.slice(start, start + limit)
    const end = start + data.length
    const after = cursorOf(end)
    return {
      status: 200,
      json: {
        data,
        paging: {
          cursors: { before: cursorOf(start), after },
          ...(end < all.length
            ? {
                next: `${SANDBOX_ORIGIN}/${version}/${wabaId}/message_templates?limit=${limit}&after=${after}`,
              }
            : {}),
        },
      },
    }
  }

  /** Adds the template of a `POST /{waba_id}/message_templates` body, approved. */
  async create(
    channel: C,
    wabaId: string,
    fields: Readonly<Record<string, unknown>>,
  ): Promise<SandboxAnswer> {
    const account = await this.account(channel, wabaId)
    const id = sandboxTemplateId()
    const read = templateFromGraph({ ...fields, status: 'APPROVED', id })
    if (!read.ok) return invalid(read.skipped.reason)
    const key = keyOf(read.template.name, read.template.language)
    if (account.has(key)) return invalid('Content in this language already exists', 2388024)
    account.set(key, graphTemplateJson(read.template, id))
    return { status: 200, json: { id, status: 'APPROVED', category: read.template.category } }
  }

  /** `DELETE /{waba_id}/message_templates?name=…` (every language), or one of them with `hsm_id`. */
  async remove(channel: C, wabaId: string, query: Readonly<Record<string, string>>): Promise<SandboxAnswer> {
    const account = await this.account(channel, wabaId)
    let removed = 0
    for (const [key, entry] of account) {
      if (entry.name !== query.name || (query.hsm_id !== undefined && entry.id !== query.hsm_id)) continue
      account.delete(key)
      removed++
    }
    return removed === 0
      ? invalid(`there is no message template named ${String(query.name)}`)
      : { status: 200, json: { success: true } }
  }

  /** `POST /{template_id}`: new components or category for a template of one of the accounts; `null`: no such id. */
  async edit(id: string, fields: Readonly<Record<string, unknown>>): Promise<SandboxAnswer | null> {
    for (const accountOf of this.accounts.values()) {
      const account = await accountOf
      for (const [key, entry] of account) {
        if (entry.id !== id) continue
        const edited = { ...entry, ...pick(fields, ['components', 'category', 'parameter_format']) }
        const read = templateFromGraph(edited)
        if (!read.ok) return invalid(read.skipped.reason)
        account.set(key, graphTemplateJson(read.template, id))
        return { status: 200, json: { success: true } }
      }
    }
    return null
  }

  private account(channel: C, wabaId: string): Promise<Account> {
    let account = this.accounts.get(wabaId)
    if (account === undefined) {
      account = this.seed(channel)
      this.accounts.set(wabaId, account)
    }
    return account
  }

  private async seed(channel: C): Promise<Account> {
    const account: Account = new Map()
    for (const template of await this.templatesOf(channel)) {
      if (template.status === 'DELETED') continue
      account.set(keyOf(template.name, template.language), graphTemplateJson(template, sandboxTemplateId()))
    }
    return account
  }
}

function keyOf(name: string, language: string): string {
  return `${name}\u0000${language}`
}

function cursorOf(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url')
}

function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return match === null ? 0 : Number(match[1])
}

function pick(fields: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    names.filter((name) => Object.hasOwn(fields, name)).map((name) => [name, fields[name]]),
  )
}

function sandboxTemplateId(): string {
  return String(BigInt(`0x${randomToken(7, 'hex')}`))
}

/** Graph's answer to a template it does not take. */
function invalid(message: string, subcode?: number): SandboxAnswer {
  return {
    status: 400,
    json: {
      error: {
        message: 'Invalid parameter',
        type: 'OAuthException',
        code: 100,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        error_user_msg: message,
        fbtrace_id: `sandbox${randomToken(6, 'hex')}`,
      },
    },
  }
}
