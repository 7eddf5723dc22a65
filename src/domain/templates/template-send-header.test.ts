import { describe, expect, it } from 'vitest'
import { META_CURRENCY, META_TEXT, send, template } from '../testing/template-send-fixtures.js'
import { templateSendProblem, type TemplateSend, type TemplateSendParameter } from './template-send.js'
import type { Template, TemplateHeader } from './template.js'

describe('templateSendProblem', () => {
  describe('header', () => {
    const bodyOnly = 'Your order has shipped.'
    const withHeader = (header: TemplateHeader | undefined): Template => template({ header, body: bodyOnly })
    const headerSend = (...parameters: TemplateSendParameter[]): TemplateSend =>
      send([{ type: 'header', parameters }])

    it('refuses header parameters when the template has no header with 132000', () => {
      expect(templateSendProblem(withHeader(undefined), headerSend(META_TEXT))).toEqual({
        code: 132000,
        details: 'header: number of parameters (1) does not match the expected number of params (0)',
      })
    })

    describe('TEXT without a placeholder', () => {
      const textHeader = withHeader({ format: 'TEXT', text: 'Order update' })

      it('needs no header component', () => {
        expect(templateSendProblem(textHeader, send())).toBeNull()
      })

      it('accepts a header component without parameters', () => {
        expect(templateSendProblem(textHeader, headerSend())).toBeNull()
      })

      it('refuses a header parameter with 132000', () => {
        expect(templateSendProblem(textHeader, headerSend(META_TEXT))?.code).toBe(132000)
      })
    })

    describe('TEXT with a placeholder', () => {
      const textHeader = withHeader({ format: 'TEXT', text: 'Order {{1}}' })

      it('accepts one text parameter', () => {
        expect(templateSendProblem(textHeader, headerSend({ type: 'text', text: '#58213' }))).toBeNull()
      })

      it('accepts a named header placeholder filled with one text parameter', () => {
        const named = withHeader({ format: 'TEXT', text: 'Order {{order_id}}' })
        expect(
          templateSendProblem(
            named,
            headerSend({ type: 'text', parameter_name: 'order_id', text: '#58213' }),
          ),
        ).toBeNull()
      })

      it.each([
        ['no header component', send()],
        ['two parameters', headerSend(META_TEXT, META_TEXT)],
      ])('refuses %s with 132000', (_label, sent) => {
        expect(templateSendProblem(textHeader, sent)?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['an image', { type: 'image', image: { id: '1' } }],
        ['a currency', META_CURRENCY],
        ['text with a tab', { type: 'text', text: 'a\tb' }],
        ['empty text', { type: 'text', text: '' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(textHeader, headerSend(parameter))?.code).toBe(132012)
      })

      it('explains a wrong header parameter type', () => {
        expect(templateSendProblem(textHeader, headerSend(META_CURRENCY))?.details).toBe(
          'header: expected a text parameter, got "currency"',
        )
      })
    })

    describe.each(['IMAGE', 'VIDEO', 'DOCUMENT'] as const)('%s', (format) => {
      const media = format.toLowerCase()
      const mediaHeader = withHeader({ format })
      const other = media === 'image' ? 'video' : 'image'

      it.each<[string, TemplateSendParameter]>([
        ['by id', { type: media, [media]: { id: '1339522734477770' } }],
        ['by link', { type: media, [media]: { link: `https://example.com/file.${media}` } }],
        [
          'with a caption or file name beside the link',
          { type: media, [media]: { link: 'https://example.com/f', filename: 'f.pdf' } },
        ],
      ])('accepts the media %s', (_label, parameter) => {
        expect(templateSendProblem(mediaHeader, headerSend(parameter))).toBeNull()
      })

      it('refuses a send without the header with 132000', () => {
        expect(templateSendProblem(mediaHeader, send())).toEqual({
          code: 132000,
          details: 'header: number of parameters (0) does not match the expected number of params (1)',
        })
      })

      it('refuses two header parameters with 132000', () => {
        const parameter = { type: media, [media]: { id: '1' } }
        expect(templateSendProblem(mediaHeader, headerSend(parameter, parameter))?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['another media type', { type: other, [other]: { id: '1' } }],
        ['a text parameter', META_TEXT],
        ['the right type without its object', { type: media }],
        ['the media object under another key', { type: media, [other]: { id: '1' } }],
        ['a link given as a bare string', { type: media, [media]: 'https://example.com/f' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(mediaHeader, headerSend(parameter))).toEqual({
          code: 132012,
          details: `header: the template has a ${format} header; send {"type": "${media}", "${media}": {"id" or "link": …}}`,
        })
      })

      it.each<[string, Record<string, unknown>]>([
        ['neither id nor link', {}],
        ['a numeric id', { id: 1339522734477770 }],
        ['a link that is not a string', { link: { url: 'https://example.com' } }],
      ])('refuses a media object with %s with 132012', (_label, value) => {
        expect(templateSendProblem(mediaHeader, headerSend({ type: media, [media]: value }))).toEqual({
          code: 132012,
          details: `header: the ${media} needs an "id" or a "link"`,
        })
      })
    })

    describe('LOCATION', () => {
      const locationHeader = withHeader({ format: 'LOCATION' })
      const location = (value: unknown): TemplateSend => headerSend({ type: 'location', location: value })

      it.each<[string, unknown]>([
        ['numbers', { latitude: 52.3676, longitude: 4.9041, name: 'Amsterdam', address: 'Dam 1' }],
        ['strings', { latitude: '52.3676', longitude: '4.9041' }],
      ])('accepts coordinates given as %s', (_label, value) => {
        expect(templateSendProblem(locationHeader, location(value))).toBeNull()
      })

      it('refuses a send without the header with 132000', () => {
        expect(templateSendProblem(locationHeader, send())?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['another parameter type', { type: 'image', location: { latitude: 1, longitude: 2 } }],
        ['no location object', { type: 'location' }],
        ['a location that is not an object', { type: 'location', location: '52.3676,4.9041' }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(locationHeader, headerSend(parameter))).toEqual({
          code: 132012,
          details: 'header: the template has a LOCATION header; send {"type": "location", "location": {…}}',
        })
      })

      it.each<[string, unknown]>([
        ['no latitude', { longitude: 4.9041 }],
        ['no longitude', { latitude: 52.3676 }],
        ['a null latitude', { latitude: null, longitude: 4.9041 }],
        ['a boolean longitude', { latitude: 52.3676, longitude: true }],
      ])('refuses a location with %s with 132012', (_label, value) => {
        expect(templateSendProblem(locationHeader, location(value))).toEqual({
          code: 132012,
          details: 'header: location needs latitude and longitude',
        })
      })
    })

    it('reports a header problem before a body problem', () => {
      const problem = templateSendProblem(
        template({ header: { format: 'IMAGE' } }),
        send([{ type: 'header', parameters: [META_TEXT] }]),
      )
      expect(problem?.details).toContain('header:')
    })
  })
})
