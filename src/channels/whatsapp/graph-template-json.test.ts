import { describe, expect, it } from 'vitest'
import { issueResolutionTemplates, type Template } from '../../domain/index.js'
import { graphTemplateJson } from './graph-template-json.js'
import { templateFromGraph } from './graph-templates.js'

const full: Template = {
  name: 'order_shipped',
  language: 'en_US',
  category: 'UTILITY',
  status: 'PAUSED',
  issueResolution: false,
  header: { format: 'TEXT', text: 'Order {{1}}' },
  body: 'Hi {{1}}, your order {{2}} has shipped.',
  footer: 'Reply STOP to opt out',
  buttons: [
    { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
    { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' },
    { type: 'QUICK_REPLY', text: 'Stop' },
  ],
}

describe('graphTemplateJson', () => {
  it('writes a template as Graph lists it, buttons in Graph’s field names', () => {
    expect(graphTemplateJson(full, '1402381887339522')).toEqual({
      name: 'order_shipped',
      language: 'en_US',
      status: 'PAUSED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
        { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' },
            { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+31201234567' },
            { type: 'QUICK_REPLY', text: 'Stop' },
          ],
        },
      ],
      id: '1402381887339522',
    })
  })

  it('reads back as the same template, for every kind of header, button and placeholder', () => {
    const templates: Template[] = [
      full,
      ...issueResolutionTemplates('APPROVED').map(({ libraryKey: _key, ...rest }) => ({
        ...rest,
        issueResolution: false,
      })),
      {
        name: 'login_code',
        language: 'nl',
        category: 'AUTHENTICATION',
        status: 'APPROVED',
        issueResolution: false,
        header: { format: 'IMAGE' },
        body: '{{code}} is your code.',
        buttons: [{ type: 'COPY_CODE' }, { type: 'OTP' }],
      },
    ]
    for (const template of templates) {
      const read = templateFromGraph(graphTemplateJson(template, '1'))
      expect(read).toEqual({ ok: true, template })
    }
  })

  it('says NAMED for named placeholders and POSITIONAL for a text without any', () => {
    const named = graphTemplateJson({ ...full, header: undefined, body: 'Hi {{first_name}}' }, '1')
    const plain = graphTemplateJson({ ...full, header: undefined, body: 'Hello there' }, '1')
    expect(named.parameter_format).toBe('NAMED')
    expect(plain.parameter_format).toBe('POSITIONAL')
  })
})
