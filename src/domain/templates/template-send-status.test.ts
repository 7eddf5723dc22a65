import { describe, expect, it } from 'vitest'
import { template } from '../testing/template-send-fixtures.js'
import { templateStatusProblem } from './template-send.js'
import { TEMPLATE_STATUSES, type TemplateStatus } from './template.js'

describe('templateStatusProblem', () => {
  const expected: Record<TemplateStatus, number | null> = {
    APPROVED: null,
    PENDING: 132001,
    REJECTED: 132001,
    PAUSED: 132015,
    DISABLED: 132016,
    IN_APPEAL: 132001,
    PENDING_DELETION: 132001,
    LIMIT_EXCEEDED: 132001,
    DELETED: 132001,
  }

  it('has an expectation for every template status', () => {
    expect(Object.keys(expected).sort()).toEqual([...TEMPLATE_STATUSES].sort())
  })

  it.each(TEMPLATE_STATUSES.map((status) => [status, expected[status]]))(
    'answers a %s template with %s',
    (status, code) => {
      const problem = templateStatusProblem(template({ status }))
      expect(problem?.code ?? null).toBe(code)
    },
  )

  it.each(TEMPLATE_STATUSES.filter((status) => status !== 'APPROVED'))(
    'names the template and language when refusing a %s template',
    (status) => {
      const problem = templateStatusProblem(template({ status }))
      expect(problem?.details).toContain('"order_total" (en_US)')
    },
  )

  it('tells that a non-approved status may not be sent, quoting the status', () => {
    expect(templateStatusProblem(template({ status: 'PENDING' }))?.details).toBe(
      'Template "order_total" (en_US) has status PENDING; only APPROVED templates may be sent.',
    )
  })

  it('says a deleted template is no longer on the WhatsApp Business Account', () => {
    expect(templateStatusProblem(template({ status: 'DELETED' }))?.details).toBe(
      'Template "order_total" (en_US) was deleted from the WhatsApp Business Account; Meta no longer lists it.',
    )
  })
})
