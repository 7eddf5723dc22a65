import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { channelsSigning, isValidSignature, signatureOf } from './signature.js'

const BODY = Buffer.from('{"object":"whatsapp_business_account","text":"Grüße"}', 'utf8')
const SECRET = 'app-secret'
const HEX = createHmac('sha256', SECRET).update(BODY).digest('hex')

describe('Meta webhook signatures', () => {
  it('signs as sha256= and the hex HMAC-SHA256 of the raw bytes', () => {
    expect(signatureOf(BODY, SECRET)).toBe(`sha256=${HEX}`)
    expect(signatureOf(BODY.toString('utf8'), SECRET)).toBe(`sha256=${HEX}`)
  })

  it('accepts the right signature, in either case of hex and with surrounding blanks', () => {
    expect(isValidSignature(BODY, `sha256=${HEX}`, SECRET)).toBe(true)
    expect(isValidSignature(BODY, `sha256=${HEX.toUpperCase()}`, SECRET)).toBe(true)
    expect(isValidSignature(BODY, `sha256= ${HEX} `, SECRET)).toBe(true)
  })

  it('refuses another secret, another body, a missing or foreign prefix, and digests that are not 64 hex digits', () => {
    expect(isValidSignature(BODY, `sha256=${HEX}`, 'other-secret')).toBe(false)
    expect(isValidSignature(Buffer.concat([BODY, Buffer.from(' ')]), `sha256=${HEX}`, SECRET)).toBe(false)
    expect(isValidSignature(BODY, undefined, SECRET)).toBe(false)
    expect(isValidSignature(BODY, HEX, SECRET)).toBe(false)
    expect(isValidSignature(BODY, `sha1=${HEX}`, SECRET)).toBe(false)
    expect(isValidSignature(BODY, `sha256=${HEX.slice(2)}`, SECRET)).toBe(false)
    expect(isValidSignature(BODY, `sha256=${HEX}00`, SECRET)).toBe(false)
    expect(isValidSignature(BODY, `sha256=${HEX.slice(1)}g`, SECRET)).toBe(false)
  })

  it('keeps secrets apart when many are in use', () => {
    for (let index = 0; index < 2_000; index++) signatureOf(BODY, `secret-${index}`)
    expect(isValidSignature(BODY, `sha256=${HEX}`, SECRET)).toBe(true)
    expect(isValidSignature(BODY, signatureOf(BODY, 'secret-7'), 'secret-7')).toBe(true)
  })

  it('finds the channels whose app secret signed a body, in order, each secret shared by several channels', () => {
    const channels = [
      { id: 'a', appSecret: SECRET },
      { id: 'b', appSecret: 'other-secret' },
      { id: 'c', appSecret: SECRET },
      { id: 'd', appSecret: 'third-secret' },
    ]
    expect(channelsSigning(channels, BODY, `sha256=${HEX}`).map((channel) => channel.id)).toEqual(['a', 'c'])
    expect(
      channelsSigning(channels, BODY, signatureOf(BODY, 'third-secret')).map((channel) => channel.id),
    ).toEqual(['d'])
    expect(channelsSigning(channels, BODY, undefined)).toEqual([])
    expect(channelsSigning(channels, Buffer.from('{}'), `sha256=${HEX}`)).toEqual([])
  })
})
