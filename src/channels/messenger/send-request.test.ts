import { describe, expect, it } from 'vitest'
import {
  forwardBody,
  parseLooseJson,
  readMessengerRequest,
  type MessengerWireRequest,
} from './send-request.js'

const PSID = '1254477777772919'
const KEY = 'cw_test_acme_messenger_key_0123456789'
const PROOF = 'a'.repeat(64)

/** The form fields Meta's curl example sends, as carewindow's form parser hands them over. */
const CURL_FIELDS = Object.fromEntries(
  new URLSearchParams(
    `recipient={'id':'${PSID}'}&messaging_type=RESPONSE&message={'text':'hello, world'}&access_token=${KEY}`,
  ),
)

function read(
  encoding: 'json' | 'form',
  body: unknown,
  query: Record<string, unknown> = {},
  senderHeader?: string,
): MessengerWireRequest {
  const result = readMessengerRequest(encoding, body, query, senderHeader)
  if (!result.ok) throw new Error(`expected a request: ${result.problem.details}`)
  return result.value
}

describe('readMessengerRequest', () => {
  it('reads a JSON body as it is, with no credentials', () => {
    const body = { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'hello, world' } }

    expect(read('json', body)).toEqual({
      fields: body,
      encoding: 'json',
      accessToken: undefined,
      appsecretProof: undefined,
      sender: undefined,
    })
  })

  it("reads Meta's curl example: single-quoted JSON in form fields, and the access_token", () => {
    expect(read('form', CURL_FIELDS)).toEqual({
      fields: { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'hello, world' } },
      encoding: 'form',
      accessToken: KEY,
      appsecretProof: undefined,
      sender: undefined,
    })
  })

  it('reads form fields that hold strict JSON', () => {
    const request = read('form', { recipient: `{"id":"${PSID}"}`, message: '{"text":"hi"}' })

    expect(request.fields).toEqual({ recipient: { id: PSID }, message: { text: 'hi' } })
  })

  it('reads escaped quotes in single-quoted form fields', () => {
    const request = read('form', {
      recipient: `{'id':'${PSID}'}`,
      message: `{'text':'it\\'s "done"'}`,
    })

    expect(request.fields.message).toEqual({ text: 'it\'s "done"' })
  })

  it('leaves form fields other than recipient and message as text', () => {
    const request = read('form', { recipient: `{'id':'${PSID}'}`, tag: "{'not':'parsed'}" })

    expect(request.fields.tag).toBe("{'not':'parsed'}")
  })

  it('refuses a form field nested deeper than any JSON body may be, before parsing it', () => {
    const deep = `{'text':${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const parsed = readMessengerRequest(
      'form',
      { recipient: `{'id':'${PSID}'}`, message: deep },
      {},
      undefined,
    )

    expect(parsed).toEqual({
      ok: false,
      problem: {
        code: 100,
        details: 'form field "message" nests objects and arrays more than 64 levels deep',
      },
    })
  })

  it.each(['recipient', 'message'])('refuses a form field %s that is not JSON, quoting it', (name) => {
    const result = readMessengerRequest('form', { [name]: "{'text':'unterminated}" }, {}, undefined)

    expect(result).toEqual({
      ok: false,
      problem: expect.objectContaining({
        details: `form field "${name}" is not JSON: {'text':'unterminated}`,
      }) as unknown,
    })
  })

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', 'recipient=1'],
    ['nothing', undefined],
  ])('refuses a body that is %s', (_, body) => {
    expect(readMessengerRequest('json', body, {}, undefined)).toEqual({
      ok: false,
      problem: expect.objectContaining({
        details: 'the body must be a JSON object or form fields',
      }) as unknown,
    })
  })

  it.each(['json', 'form'] as const)(
    'takes access_token, appsecret_proof and carewindow_sender out of a %s body',
    (encoding) => {
      const request = read(encoding, {
        recipient: encoding === 'json' ? { id: PSID } : `{'id':'${PSID}'}`,
        access_token: KEY,
        appsecret_proof: PROOF,
        carewindow_sender: 'agent',
      })

      expect(request).toMatchObject({ accessToken: KEY, appsecretProof: PROOF, sender: 'agent' })
      expect(request.fields).toEqual({ recipient: { id: PSID } })
    },
  )

  it('takes the credentials from the query, where messaging-api-messenger puts them', () => {
    const request = read(
      'json',
      { recipient: { id: PSID } },
      { access_token: KEY, appsecret_proof: PROOF, carewindow_sender: 'bot' },
    )

    expect(request).toMatchObject({ accessToken: KEY, appsecretProof: PROOF, sender: 'bot' })
    expect(request.fields).toEqual({ recipient: { id: PSID } })
  })

  it('prefers the query to the body, and the X-Carewindow-Sender header to both', () => {
    const request = read(
      'json',
      { access_token: 'body-key', appsecret_proof: 'body-proof', carewindow_sender: 'bot' },
      { access_token: KEY, appsecret_proof: PROOF, carewindow_sender: 'bot' },
      'agent',
    )

    expect(request).toMatchObject({ accessToken: KEY, appsecretProof: PROOF, sender: 'agent' })
    expect(request.fields).toEqual({})
  })

  it('treats empty credentials as absent and still never forwards them', () => {
    const request = read(
      'json',
      { access_token: '', appsecret_proof: '', carewindow_sender: '' },
      { access_token: '' },
    )

    expect(request).toMatchObject({ accessToken: undefined, appsecretProof: undefined, sender: undefined })
    expect(request.fields).toEqual({})
  })

  it('does not change the body it was given', () => {
    const body = { recipient: `{'id':'${PSID}'}`, access_token: KEY }

    read('form', body)

    expect(body).toEqual({ recipient: `{'id':'${PSID}'}`, access_token: KEY })
  })
})

describe('forwardBody', () => {
  it('forwards a JSON body as JSON, without the credentials, its fields in order', () => {
    const request = read('json', {
      messaging_type: 'RESPONSE',
      recipient: { id: PSID },
      access_token: KEY,
      message: {
        text: 'hello, world',
        quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }],
      },
      appsecret_proof: PROOF,
      carewindow_sender: 'agent',
      notification_type: 'SILENT_PUSH',
    })

    expect(forwardBody(request)).toBe(
      JSON.stringify({
        messaging_type: 'RESPONSE',
        recipient: { id: PSID },
        message: {
          text: 'hello, world',
          quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }],
        },
        notification_type: 'SILENT_PUSH',
      }),
    )
  })

  it("forwards Meta's curl example form-encoded, with strict JSON in its fields and no access_token", () => {
    const forwarded = new URLSearchParams(forwardBody(read('form', CURL_FIELDS)))

    expect([...forwarded]).toEqual([
      ['recipient', `{"id":"${PSID}"}`],
      ['messaging_type', 'RESPONSE'],
      ['message', '{"text":"hello, world"}'],
    ])
  })

  it('encodes form values so that & and = in a text survive', () => {
    const request = read('form', { recipient: `{'id':'${PSID}'}`, message: "{'text':'a=1 & b=2 + c'}" })

    const forwarded = new URLSearchParams(forwardBody(request))

    expect(JSON.parse(forwarded.get('message') ?? '')).toEqual({ text: 'a=1 & b=2 + c' })
  })

  it('applies auto-tagging to a JSON body: MESSAGE_TAG with HUMAN_AGENT, the rest unchanged', () => {
    const request = read('json', {
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'hi' },
    })

    expect(JSON.parse(forwardBody(request, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }))).toEqual({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      message: { text: 'hi' },
      tag: 'HUMAN_AGENT',
    })
  })

  it('applies auto-tagging to a form body the same way', () => {
    const request = read('form', { ...CURL_FIELDS, carewindow_sender: 'agent' })

    const forwarded = new URLSearchParams(
      forwardBody(request, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }),
    )

    expect(Object.fromEntries(forwarded)).toEqual({
      recipient: `{"id":"${PSID}"}`,
      messaging_type: 'MESSAGE_TAG',
      message: '{"text":"hello, world"}',
      tag: 'HUMAN_AGENT',
    })
  })

  it('leaves the request untouched when it applies changes', () => {
    const request = read('json', { recipient: { id: PSID }, messaging_type: 'RESPONSE' })

    forwardBody(request, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' })

    expect(request.fields).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE' })
  })
})

describe('parseLooseJson', () => {
  it.each([
    ['strict JSON', '{"id":"1","n":[1,2,{"a":null}]}', { id: '1', n: [1, 2, { a: null }] }],
    ['single-quoted JSON', "{'id':'1','n':[1,2,{'a':true}]}", { id: '1', n: [1, 2, { a: true }] }],
    ['quotes of both kinds', `{'a':"x",'b':'y'}`, { a: 'x', b: 'y' }],
    ['a double quote inside a single-quoted string', `{'text':'say "hi"'}`, { text: 'say "hi"' }],
    ['a single quote inside a double-quoted string', `{'text':"it's"}`, { text: "it's" }],
    ['an escaped single quote in a single-quoted string', "{'text':'it\\'s'}", { text: "it's" }],
    ['an escaped single quote in a double-quoted string', `{"text":"it\\'s"}`, { text: "it's" }],
    ['an escaped double quote in a single-quoted string', `{'text':'say \\"hi\\"'}`, { text: 'say "hi"' }],
    [
      'a backslash, a newline and a unicode escape',
      "{'text':'a\\\\b\\nc\\u00e9'}",
      { text: 'a\\b\nc\u00e9' },
    ],
    ['spaces and a number', "{ 'id' : 1254477777772919 }", { id: 1254477777772919 }],
    ['a bare string', "'hello'", 'hello'],
  ])('reads %s', (_, text, value) => {
    expect(parseLooseJson(text)).toEqual(value)
  })

  it.each([
    ['an empty text', ''],
    ['an unterminated string', "{'text':'hello}"],
    ['a trailing backslash', "{'text':'hello\\"],
    ['unquoted keys', '{text:hello}'],
    ['plain text', 'hello, world'],
    ['a trailing comma', "{'a':1,}"],
  ])('answers undefined for %s', (_, text) => {
    expect(parseLooseJson(text)).toBeUndefined()
  })
})
