import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FakeGraph } from './fake-graph.js'

/** One `message_templates` call the fake Graph received. */
export interface TemplateCallReceived {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly authorization: string | undefined
  readonly body: string
}

/** A template as Graph lists it, its id left to the fake. */
export interface NewGraphTemplate {
  readonly name: string
  readonly language: string
  readonly status: string
  readonly category: string
  readonly components: readonly Record<string, unknown>[]
  readonly id?: string
  readonly [field: string]: unknown
}

/** A template as Graph lists it. */
export interface GraphTemplateEntry extends NewGraphTemplate {
  readonly id: string
}

const TEMPLATES = /^\/(v\d+\.\d+)\/(\d+)\/message_templates$/

/**
 * The fake Graph's WhatsApp Business Accounts and their message templates: `GET /{waba_id}/message_templates` pages
 * them as Graph does (`limit`, `after`, `paging.next` while more follow), `POST` creates one `PENDING` (Meta reviews
 * it; the test approves it with {@link setStatus}), `DELETE ?name=` deletes every language of a name. Every call is
 * recorded with its Authorization header; list calls can be made to fail, to see a sync fail as a whole.
 */
export class FakeGraphTemplates {
  readonly calls: TemplateCallReceived[] = []
  /** The most templates a page holds, whatever `limit` asks (Graph's default page is 25). */
  pageSize = 25
  private readonly accounts = new Map<string, GraphTemplateEntry[]>()
  /** List calls to come, in order: `true` answers as usual, a status fails the call with it. */
  private readonly listPlans: (true | number)[] = []
  private nextId = 1_402_381_887_339_522n

  constructor(private readonly graph: FakeGraph) {
    graph.handleOthersWith((request, response) => this.handle(request, response))
  }

  /** A template made on Meta's side (WhatsApp Manager, another tool): carewindow learns of it by syncing. */
  add(wabaId: string, entry: NewGraphTemplate): GraphTemplateEntry {
    const stored = { ...entry, id: entry.id ?? String(this.nextId++) }
    this.account(wabaId).push(stored)
    return stored
  }

  /** Meta's review (or quality rating) changed the template's status. */
  setStatus(wabaId: string, name: string, language: string, status: string): void {
    const list = this.account(wabaId)
    const index = list.findIndex((entry) => entry.name === name && entry.language === language)
    const entry = list[index]
    if (entry === undefined) throw new Error(`the fake WABA ${wabaId} has no template ${name} (${language})`)
    list[index] = { ...entry, status }
  }

  /** Deleted on Meta's side, every language of the name. */
  remove(wabaId: string, name: string): void {
    this.accounts.set(
      wabaId,
      this.account(wabaId).filter((entry) => entry.name !== name),
    )
  }

  list(wabaId: string): readonly GraphTemplateEntry[] {
    return this.account(wabaId)
  }

  /** The `call`-th list call from now (1: the next) fails with `status` and Graph's error envelope. */
  failListCall(call: number, status = 500): void {
    while (this.listPlans.length < call) this.listPlans.push(true)
    this.listPlans[call - 1] = status
  }

  private account(wabaId: string): GraphTemplateEntry[] {
    let list = this.accounts.get(wabaId)
    if (list === undefined) {
      list = []
      this.accounts.set(wabaId, list)
    }
    return list
  }

  private handle(request: IncomingMessage, response: ServerResponse): boolean {
    const url = new URL(request.url ?? '/', this.graph.url)
    const match = TEMPLATES.exec(url.pathname)
    if (match === null || !['GET', 'POST', 'DELETE'].includes(request.method ?? '')) return false
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const call: TemplateCallReceived = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      this.calls.push(call)
      const [, version = '', wabaId = ''] = match
      const answer = this.answer(call, version, wabaId)
      response.writeHead(answer.status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(answer.json))
    })
    return true
  }

  private answer(
    call: TemplateCallReceived,
    version: string,
    wabaId: string,
  ): { status: number; json: unknown } {
    if (call.method === 'POST') {
      const fields = JSON.parse(call.body) as NewGraphTemplate
      const created = this.add(wabaId, { ...fields, status: 'PENDING' })
      return { status: 200, json: { id: created.id, status: 'PENDING', category: created.category } }
    }
    if (call.method === 'DELETE') {
      this.remove(wabaId, call.query.name ?? '')
      return { status: 200, json: { success: true } }
    }
    const plan = this.listPlans.shift() ?? true
    if (plan !== true)
      return {
        status: plan,
        json: {
          error: {
            message: 'An unexpected error has occurred. Please retry your request later.',
            type: 'OAuthException',
            code: 2,
            fbtrace_id: 'FakeGraph',
          },
        },
      }
    const all = this.account(wabaId)
    const limit = Math.min(this.pageSize, Number(call.query.limit ?? 25))
    const start = call.query.after === undefined ? 0 : Number(Buffer.from(call.query.after, 'base64url'))
    const data = all.slice(start, start + limit)
    const after = Buffer.from(String(start + data.length)).toString('base64url')
    const more = start + data.length < all.length
    return {
      status: 200,
      json: {
        data,
        paging: {
          cursors: { before: Buffer.from(String(start)).toString('base64url'), after },
          ...(more
            ? {
                next: `https://graph.facebook.com/${version}/${wabaId}/message_templates?limit=${limit}&after=${after}`,
              }
            : {}),
        },
      },
    }
  }
}
