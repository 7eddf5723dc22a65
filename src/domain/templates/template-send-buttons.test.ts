import { describe, expect, it } from 'vitest'
import { META_POSITIONAL_BODY, send, template } from '../testing/template-send-fixtures.js'
import {
  templateSendProblem,
  type TemplateSendComponent,
  type TemplateSendParameter,
} from './template-send.js'
import type { Template, TemplateButton } from './template.js'

describe('templateSendProblem', () => {
  describe('buttons', () => {
    const withButtons = (...buttons: TemplateButton[]): Template =>
      template({ body: 'Your order has shipped.', buttons })
    const button = (
      index: string | number | undefined,
      sub_type: string | undefined,
      ...parameters: TemplateSendParameter[]
    ): TemplateSendComponent => ({
      type: 'button',
      ...(sub_type === undefined ? {} : { sub_type }),
      ...(index === undefined ? {} : { index }),
      parameters,
    })
    const staticUrl: TemplateButton = { type: 'URL', text: 'Track', url: 'https://example.com/track' }
    const dynamicUrl: TemplateButton = { type: 'URL', text: 'Track', url: 'https://example.com/track/{{1}}' }
    const quickReply: TemplateButton = { type: 'QUICK_REPLY', text: 'Continue' }
    const phone: TemplateButton = { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+31201234567' }

    it('accepts sub_type in any case, as it accepts component types', () => {
      expect(
        templateSendProblem(
          withButtons(quickReply),
          send([button('0', 'QUICK_REPLY', { type: 'payload', payload: 'yes' })]),
        ),
      ).toBeNull()
    })

    describe('URL', () => {
      it('needs no component when the URL has no placeholder', () => {
        expect(templateSendProblem(withButtons(staticUrl), send())).toBeNull()
      })

      it('accepts a component without parameters when the URL has no placeholder', () => {
        expect(templateSendProblem(withButtons(staticUrl), send([button('0', 'url')]))).toBeNull()
      })

      it('refuses a parameter for a URL without placeholder with 132000', () => {
        expect(
          templateSendProblem(
            withButtons(staticUrl),
            send([button('0', 'url', { type: 'text', text: 'x' })]),
          ),
        ).toEqual({
          code: 132000,
          details:
            'button 0 (URL): number of parameters (1) does not match the expected number of params (0)',
        })
      })

      it('accepts the URL suffix as one text parameter', () => {
        expect(
          templateSendProblem(
            withButtons(dynamicUrl),
            send([button('0', 'url', { type: 'text', text: '58213' })]),
          ),
        ).toBeNull()
      })

      it.each([
        ['without a component', []],
        ['with a component without parameters', [button('0', 'url')]],
        [
          'with two parameters',
          [button('0', 'url', { type: 'text', text: 'a' }, { type: 'text', text: 'b' })],
        ],
      ])('refuses a URL with a placeholder sent %s with 132000', (_label, components) => {
        expect(templateSendProblem(withButtons(dynamicUrl), send(components))?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['an empty suffix', { type: 'text', text: '' }],
        ['a payload', { type: 'payload', payload: '58213' }],
      ])('refuses %s for the URL suffix with 132012', (_label, parameter) => {
        expect(
          templateSendProblem(withButtons(dynamicUrl), send([button('0', 'url', parameter)]))?.code,
        ).toBe(132012)
      })
    })

    describe('OTP', () => {
      const otp = withButtons({ type: 'OTP' })

      it('accepts the code as one text parameter with sub_type url', () => {
        expect(
          templateSendProblem(otp, send([button('0', 'url', { type: 'text', text: '123456' })])),
        ).toBeNull()
      })

      it('refuses a send without the code with 132000', () => {
        expect(templateSendProblem(otp, send())?.code).toBe(132000)
      })

      it('refuses a code that is not text with 132012', () => {
        expect(
          templateSendProblem(otp, send([button('0', 'url', { type: 'coupon_code', coupon_code: '123456' })]))
            ?.code,
        ).toBe(132012)
      })
    })

    describe('COPY_CODE', () => {
      const copyCode = withButtons({ type: 'COPY_CODE' })

      it('accepts a coupon_code parameter with sub_type copy_code', () => {
        expect(
          templateSendProblem(
            copyCode,
            send([button('0', 'copy_code', { type: 'coupon_code', coupon_code: 'WELCOME25' })]),
          ),
        ).toBeNull()
      })

      it('refuses a send without the code with 132000', () => {
        expect(templateSendProblem(copyCode, send())?.code).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['a text parameter', { type: 'text', text: 'WELCOME25' }],
        ['an empty code', { type: 'coupon_code', coupon_code: '' }],
        ['a numeric code', { type: 'coupon_code', coupon_code: 25 }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(templateSendProblem(copyCode, send([button('0', 'copy_code', parameter)]))).toEqual({
          code: 132012,
          details: 'button 0 (COPY_CODE): send {"type": "coupon_code", "coupon_code": "…"}',
        })
      })
    })

    describe('QUICK_REPLY', () => {
      it('needs no component', () => {
        expect(templateSendProblem(withButtons(quickReply), send())).toBeNull()
      })

      it('accepts a component without parameters', () => {
        expect(templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply')]))).toBeNull()
      })

      it('accepts a payload', () => {
        expect(
          templateSendProblem(
            withButtons(quickReply),
            send([button('0', 'quick_reply', { type: 'payload', payload: 'ticket:T-1042' })]),
          ),
        ).toBeNull()
      })

      it('refuses two payloads with 132000', () => {
        const payload = { type: 'payload', payload: 'x' }
        expect(
          templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply', payload, payload)]))
            ?.code,
        ).toBe(132000)
      })

      it.each<[string, TemplateSendParameter]>([
        ['a text parameter', { type: 'text', text: 'x' }],
        ['a payload that is not a string', { type: 'payload', payload: 42 }],
      ])('refuses %s with 132012', (_label, parameter) => {
        expect(
          templateSendProblem(withButtons(quickReply), send([button('0', 'quick_reply', parameter)])),
        ).toEqual({
          code: 132012,
          details: 'button 0 (QUICK_REPLY): send {"type": "payload", "payload": "…"}',
        })
      })
    })

    describe('PHONE_NUMBER', () => {
      it('needs no component', () => {
        expect(templateSendProblem(withButtons(phone), send())).toBeNull()
      })

      it.each([
        ['with parameters', button('0', 'url', { type: 'text', text: 'x' })],
        ['without parameters or sub_type', button('0', undefined)],
      ])('refuses a component %s with 132012', (_label, component) => {
        expect(templateSendProblem(withButtons(phone), send([component]))).toEqual({
          code: 132012,
          details: 'button 0 (PHONE_NUMBER) takes no parameters; remove its component',
        })
      })
    })

    it.each<[string, TemplateButton, string | undefined]>([
      ['quick_reply on a URL button', dynamicUrl, 'quick_reply'],
      ['no sub_type on a URL button', dynamicUrl, undefined],
      ['url on a quick-reply button', quickReply, 'url'],
      ['copy_code on an OTP button', { type: 'OTP' }, 'copy_code'],
      ['url on a copy-code button', { type: 'COPY_CODE' }, 'url'],
    ])('refuses %s with 132012', (_label, definition, subType) => {
      const problem = templateSendProblem(
        withButtons(definition),
        send([button('0', subType, { type: 'text', text: 'x' })]),
      )
      expect(problem?.code).toBe(132012)
      expect(problem?.details).toContain(`sub_type must be`)
      expect(problem?.details).toContain(`got "${String(subType)}"`)
    })

    it('accepts the button index as a number', () => {
      expect(
        templateSendProblem(
          withButtons(staticUrl, dynamicUrl),
          send([button(1, 'url', { type: 'text', text: '58213' })]),
        ),
      ).toBeNull()
    })

    it('checks each button by its index, whatever the component order', () => {
      const template2 = withButtons(dynamicUrl, { type: 'COPY_CODE' })
      const components = [
        button('1', 'copy_code', { type: 'coupon_code', coupon_code: 'WELCOME25' }),
        button('0', 'url', { type: 'text', text: '58213' }),
      ]
      expect(templateSendProblem(template2, send(components))).toBeNull()
    })

    it.each<[string, string | number | undefined]>([
      ['equal to the number of buttons', '2'],
      ['far out of range', 99],
      ['negative', '-1'],
      ['fractional', '0.5'],
      ['not a number', 'first'],
      ['empty', ''],
      ['blank', ' '],
      ['missing', undefined],
    ])('refuses a button index that is %s with 132012', (_label, index) => {
      const problem = templateSendProblem(
        withButtons(quickReply, quickReply),
        send([button(index, 'quick_reply', { type: 'payload', payload: 'x' })]),
      )
      expect(problem).toEqual({
        code: 132012,
        details: `button component index ${String(index)} does not match a button of the template (it has 2)`,
      })
    })

    it('refuses a button component for a template without buttons with 132012', () => {
      expect(
        templateSendProblem(template(), send([META_POSITIONAL_BODY, button('0', 'quick_reply')]))?.details,
      ).toBe('button component index 0 does not match a button of the template (it has 0)')
    })

    it('refuses two components for the same button with 132012', () => {
      const problem = templateSendProblem(
        withButtons(quickReply, quickReply),
        send([button('0', 'quick_reply'), button(0, 'quick_reply')]),
      )
      expect(problem).toEqual({ code: 132012, details: 'the send has more than one component for button 0' })
    })

    it('reports the first button with a problem', () => {
      const problem = templateSendProblem(withButtons(dynamicUrl, { type: 'OTP' }), send())
      expect(problem?.details).toContain('button 0 (URL)')
    })
  })
})
