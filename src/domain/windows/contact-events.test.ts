import { describe, expect, it } from 'vitest'
import { parseInstant } from '../time.js'
import { userMessage } from '../testing/builders.js'
import { isUserMessage } from './contact-events.js'

const AT = parseInstant('2024-03-01T10:00:00Z')!

describe('isUserMessage (CCW-1)', () => {
  it('counts a message without a type as the user’s own', () => {
    expect(isUserMessage(userMessage(AT))).toBe(true)
  })

  it.each([
    'text',
    'image',
    'audio',
    'button',
    'interactive',
    'reaction',
    'location',
    'postback',
    'referral',
  ])('counts a %s message as the user’s own, so it opens or extends the window', (messageType) => {
    expect(isUserMessage(userMessage(AT, { messageType }))).toBe(true)
  })

  it.each(['system', 'unsupported', 'unknown', 'errors', 'ephemeral'])(
    'does not count a %s notice, which the user did not author',
    (messageType) => {
      expect(isUserMessage(userMessage(AT, { messageType }))).toBe(false)
    },
  )
})
