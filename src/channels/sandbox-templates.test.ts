import { describe, expect, it } from 'vitest'
import { issueResolutionTemplates, type Template } from '../domain/index.js'
import { SandboxTemplates } from './sandbox-templates.js'
import type { UpstreamChannel } from './upstream.js'

const CHANNEL: UpstreamChannel = { externalId: '100000000000001', upstream: { mode: 'sandbox' } }
const WABA = '100000000000002'

const registry: Template[] = [
  ...issueResolutionTemplates('APPROVED', ['en']),
  {
    name: 'old_offer',
    language: 'en',
    category: 'MARKETING',
    status: 'DELETED',
    issueResolution: false,
    body: 'Gone.',
  },
]

const created = {
  name: 'appointment_reminder',
  language: 'en_US',
  category: 'UTILITY',
  components: [{ type: 'BODY', text: 'See you on {{1}}.', example: { body_text: [['Monday']] } }],
}

async function listOf(templates: SandboxTemplates<UpstreamChannel>, query: Record<string, string> = {}) {
  const answer = await templates.list(CHANNEL, WABA, 'v21.0', query)
  return answer.json as {
    data: { name: string; status: string; id: string }[]
    paging: Record<string, unknown>
  }
}

describe('SandboxTemplates', () => {
  it('starts an account with the channel’s registered templates that are not deleted', async () => {
    const templates = new SandboxTemplates<UpstreamChannel>(() => Promise.resolve(registry))

    const { data } = await listOf(templates)

    expect(data.map((entry) => [entry.name, entry.status])).toEqual(
      issueResolutionTemplates('APPROVED', ['en']).map((template) => [template.name, 'APPROVED']),
    )
    expect(data.every((entry) => /^\d+$/.test(entry.id))).toBe(true)
  })

  it('adds a created template approved, lists it, and refuses the same name and language twice', async () => {
    const templates = new SandboxTemplates<UpstreamChannel>(() => Promise.resolve([]))

    const answer = await templates.create(CHANNEL, WABA, created)
    const again = await templates.create(CHANNEL, WABA, created)

    expect(answer).toEqual({
      status: 200,
      json: { id: expect.stringMatching(/^\d+$/) as string, status: 'APPROVED', category: 'UTILITY' },
    })
    expect((await listOf(templates)).data).toMatchObject([
      { name: 'appointment_reminder', language: 'en_US', status: 'APPROVED' },
    ])
    expect(again).toMatchObject({ status: 400, json: { error: { code: 100, error_subcode: 2388024 } } })
  })

  it('refuses a template it could not represent, saying why', async () => {
    const templates = new SandboxTemplates<UpstreamChannel>(() => Promise.resolve([]))

    const answer = await templates.create(CHANNEL, WABA, { ...created, components: [] })

    expect(answer).toMatchObject({
      status: 400,
      json: { error: { error_user_msg: 'the template has no BODY text' } },
    })
    expect((await listOf(templates)).data).toEqual([])
  })

  it('pages the list as Graph does, with paging.next while more follow', async () => {
    const templates = new SandboxTemplates<UpstreamChannel>(() => Promise.resolve(registry))

    const first = await listOf(templates, { limit: '2' })
    const cursors = first.paging.cursors as { after: string }
    const second = await listOf(templates, { limit: '2', after: cursors.after })

    expect(first.data).toHaveLength(2)
    expect(first.paging.next).toEqual(expect.stringContaining(`after=${cursors.after}`))
    expect(second.data.map((entry) => entry.name)).toEqual(
      issueResolutionTemplates('APPROVED', ['en'])
        .slice(2, 4)
        .map((template) => template.name),
    )
  })

  it('deletes every language of a name, and edits a template by its id', async () => {
    const templates = new SandboxTemplates<UpstreamChannel>(() => Promise.resolve(registry))
    const [first, second] = (await listOf(templates)).data

    expect(await templates.remove(CHANNEL, WABA, { name: first?.name ?? '' })).toEqual({
      status: 200,
      json: { success: true },
    })
    expect(await templates.remove(CHANNEL, WABA, { name: first?.name ?? '' })).toMatchObject({ status: 400 })
    expect(
      await templates.edit(second?.id ?? '', {
        components: [{ type: 'BODY', text: 'New words for {{customer_name}}' }],
      }),
    ).toEqual({ status: 200, json: { success: true } })
    expect(await templates.edit('999', {})).toBeNull()

    const { data } = await listOf(templates)
    expect(data.map((entry) => entry.name)).not.toContain(first?.name)
    expect(data.find((entry) => entry.id === second?.id)).toMatchObject({
      components: [{ type: 'BODY', text: 'New words for {{customer_name}}' }],
    })
  })
})
