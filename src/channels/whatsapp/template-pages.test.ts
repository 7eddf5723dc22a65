import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { GraphPassthrough, PassthroughAnswer, PassthroughRequest } from '../graph-passthrough.js'
import type { UpstreamChannel } from '../upstream.js'
import { readTemplatePages, TEMPLATE_PAGES_DEFAULTS } from './template-pages.js'

const CHANNEL: UpstreamChannel = {
  externalId: '106540352242922',
  upstream: { mode: 'cloud', baseUrl: 'https://graph.example', accessToken: 'token' },
}

/** Graph's answers, scripted page by page (a stand-in for Meta), and the calls made of it. */
function scriptedGraph(answers: readonly (PassthroughAnswer | Error)[]): {
  graph: GraphPassthrough
  calls: PassthroughRequest[]
} {
  const calls: PassthroughRequest[] = []
  let next = 0
  return {
    calls,
    graph: {
      pass(request) {
        calls.push(request)
        const answer = answers[next++]
        if (answer === undefined) throw new Error('no more pages scripted')
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
      },
      download: () => Promise.reject(new Error('not used')),
      close: () => Promise.resolve(),
    },
  }
}

function page(status: number, body: unknown): PassthroughAnswer {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return {
    status,
    contentType: 'application/json',
    contentLength: undefined,
    body: Readable.from([Buffer.from(text)]),
  }
}

const more = (after: string) => ({ cursors: { before: 'b', after }, next: 'https://graph.facebook.com/…' })

describe('readTemplatePages', () => {
  it('follows paging.cursors.after while Graph gives paging.next, on the channel’s own Graph', async () => {
    const { graph, calls } = scriptedGraph([
      page(200, { data: [{ name: 'a' }], paging: more('c1') }),
      page(200, { data: [{ name: 'b' }, { name: 'c' }], paging: more('c2') }),
      page(200, { data: [], paging: { cursors: { before: 'c2', after: 'c2' } } }),
    ])

    const read = await readTemplatePages(graph, CHANNEL, '42')

    expect(read).toEqual({ ok: true, entries: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], pages: 3 })
    expect(calls.map((call) => [call.method, call.path, call.query.after])).toEqual([
      ['GET', '/42/message_templates', undefined],
      ['GET', '/42/message_templates', 'c1'],
      ['GET', '/42/message_templates', 'c2'],
    ])
    expect(calls[0]?.query.limit).toBe(String(TEMPLATE_PAGES_DEFAULTS.pageSize))
  })

  it.each([
    [
      'an error of Graph’s',
      page(401, { error: { message: 'Error validating access token', code: 190 } }),
      "page 2 of 42's message_templates: Graph answered 401: Error validating access token",
    ],
    ['a body that is not the list', page(200, '<html>oops</html>'), 'is not Graph’s list of templates'],
    ['no answer', new Error('connect ECONNREFUSED'), 'graph.example did not answer: connect ECONNREFUSED'],
    [
      'a next page without a cursor',
      page(200, { data: [], paging: { next: 'https://graph.facebook.com/…' } }),
      'paging.next is given but paging.cursors.after is not',
    ],
  ])('fails the whole read on %s in a later page', async (_case, second, reason) => {
    const { graph } = scriptedGraph([page(200, { data: [{ name: 'a' }], paging: more('c1') }), second])

    const read = await readTemplatePages(graph, CHANNEL, '42')

    expect(read.ok).toBe(false)
    expect(read.ok ? '' : read.reason).toContain(reason)
  })

  it('fails a list whose cursor comes round again instead of reading it forever', async () => {
    const { graph } = scriptedGraph([
      page(200, { data: [], paging: more('c1') }),
      page(200, { data: [], paging: more('c1') }),
    ])

    expect(await readTemplatePages(graph, CHANNEL, '42')).toEqual({
      ok: false,
      reason: "page 2 of 42's message_templates repeats an earlier cursor",
    })
  })

  it('fails a list longer than its page limit, and a page larger than its byte limit', async () => {
    const endless = Array.from({ length: 3 }, (_, index) =>
      page(200, { data: [], paging: more(`c${index}`) }),
    )
    const long = await readTemplatePages(scriptedGraph(endless).graph, CHANNEL, '42', {
      ...TEMPLATE_PAGES_DEFAULTS,
      maxPages: 2,
    })
    expect(long).toEqual({ ok: false, reason: "42's message_templates has more than 2 pages of 100" })

    const large = await readTemplatePages(
      scriptedGraph([page(200, { data: ['x'.repeat(100)] })]).graph,
      CHANNEL,
      '42',
      {
        ...TEMPLATE_PAGES_DEFAULTS,
        maxPageBytes: 50,
      },
    )
    expect(large).toEqual({
      ok: false,
      reason: "page 1 of 42's message_templates: the page is larger than 50 bytes",
    })
  })
})
