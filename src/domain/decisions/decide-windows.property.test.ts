import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyEvent,
  DAY_MS,
  decide,
  foldHistory,
  MESSENGER_POLICY_CHANGE_BRIEF,
  MESSENGER_POLICY_CHANGE_META,
  policySettings,
  WHATSAPP_SESSION_TYPES,
  windowAt,
  type ContactEvent,
  type Intent,
} from '../index.js'
import { delivered, messengerMessage, sessionMessage, userMessage } from '../testing/builders.js'
import {
  contextOf,
  inboundArb,
  instantArb,
  intentArb,
  noticeTypeArb,
  offsetArb,
  outboundArb,
  platformArb,
  scenarioArb,
  settingsArb,
  userTypeArb,
} from '../testing/decide-arbitraries.js'

// These properties go through the package's public entry point, as a library user would.

describe('decide: properties', () => {
  it('never opens a window without a message from the user, and refuses every session message', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            at: instantArb,
            events: fc.array(fc.tuple(offsetArb, fc.oneof(outboundArb(platform), inboundArb(noticeTypeArb)))),
            settings: settingsArb,
          }),
        ),
        ({ platform, at, events, settings }) => {
          const history = events.map(([offset, make]) => make(at + offset))
          expect(windowAt(platform, history, at, settings).state).toBe('closed')
          const intents: Intent[] =
            platform === 'whatsapp'
              ? WHATSAPP_SESSION_TYPES.map((type) => sessionMessage(type))
              : [messengerMessage('RESPONSE'), messengerMessage('UPDATE')]
          for (const intent of intents) {
            const decision = decide(intent, { history, settings }, at)
            expect(decision.allowed).toBe(false)
            expect(decision.reason).toBe(
              platform === 'whatsapp' ? 'WINDOW_CLOSED' : 'OUTSIDE_MESSENGER_WINDOW',
            )
          }
        },
      ),
    )
  })

  it('keeps the window open for every instant in [t, t + 24 h) after a message at t, and closed at t + 24 h', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            t: instantArb,
            // Earlier user messages (never from a 7-day Messenger ad) and business messages at any time.
            earlier: fc.array(
              fc.tuple(
                fc.integer({ min: 1, max: 5 * DAY_MS }),
                inboundArb(userTypeArb, fc.constantFrom(null, 'link')),
              ),
            ),
            sent: fc.array(
              fc.tuple(fc.integer({ min: -5 * DAY_MS, max: 2 * DAY_MS }), outboundArb(platform)),
            ),
            elapsed: fc.integer({ min: 0, max: DAY_MS - 1 }),
            settings: settingsArb,
          }),
        ),
        ({ platform, t, earlier, sent, elapsed, settings }) => {
          const history = [
            userMessage(t),
            ...earlier.map(([before, make]) => make(t - before)),
            ...sent.map(([offset, make]) => make(t + offset)),
          ]
          expect(windowAt(platform, history, t + elapsed, settings)).toMatchObject({
            state: 'open',
            expiresAt: t + DAY_MS,
          })
          expect(windowAt(platform, history, t + DAY_MS, settings).state).toBe('closed')
          const reply = platform === 'whatsapp' ? sessionMessage() : messengerMessage('RESPONSE')
          expect(decide(reply, { history, settings }, t + elapsed).allowed).toBe(true)
          if (platform === 'whatsapp')
            expect(decide(reply, { history, settings }, t + DAY_MS).reason).toBe('WINDOW_CLOSED')
        },
      ),
    )
  })

  it('never closes an open window or moves its end earlier when a user message is added, however late it arrives', () => {
    fc.assert(
      fc.property(
        platformArb.chain((platform) =>
          fc.record({
            platform: fc.constant(platform),
            scenario: scenarioArb(platform),
            added: fc.tuple(fc.integer({ min: -10 * DAY_MS, max: 0 }), inboundArb(userTypeArb)),
          }),
        ),
        ({ platform, scenario, added: [offset, make] }) => {
          const { at, history, settings } = scenario
          const before = windowAt(platform, history, at, settings)
          const after = windowAt(platform, [...history, make(at + offset)], at, settings)
          if (before.state === 'open') {
            expect(after.state).toBe('open')
            expect(after.expiresAt).toBeGreaterThanOrEqual(before.expiresAt!)
          }
          const state = foldHistory(platform, history, at, settings)
          const late = applyEvent(state, platform, make(at + offset), settings)
          const newest =
            state.lastUserMessageAt === null ? at + offset : Math.max(state.lastUserMessageAt, at + offset)
          expect(late.lastUserMessageAt).toBe(newest)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('grants the Messenger +1 at most once per user message, and never from the cut-off on', () => {
    const start = MESSENGER_POLICY_CHANGE_BRIEF - 30 * DAY_MS
    fc.assert(
      fc.property(
        fc.record({
          steps: fc.array(
            fc.tuple(
              fc.integer({ min: 1, max: 3 * DAY_MS }),
              fc.constantFrom('user', 'page', 'page', 'page'),
            ),
            { maxLength: 25 },
          ),
          settings: fc.constantFrom(
            policySettings(),
            policySettings({ messengerPolicyChangeAt: MESSENGER_POLICY_CHANGE_META }),
          ),
        }),
        ({ steps, settings }) => {
          const history: ContactEvent[] = []
          let at = start
          let plusOnesSinceUserMessage = 0
          for (const [gap, who] of steps) {
            at += gap
            if (who === 'user') {
              history.push(userMessage(at))
              plusOnesSinceUserMessage = 0
              continue
            }
            const decision = decide(messengerMessage('RESPONSE'), { history, settings }, at)
            if (decision.reason === 'PLUS_ONE') {
              plusOnesSinceUserMessage += 1
              expect(at).toBeLessThan(settings.messengerPolicyChangeAt)
            }
            expect(plusOnesSinceUserMessage).toBeLessThanOrEqual(1)
            if (decision.allowed) history.push(delivered(decision))
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('allows every session message and every approved, well-formed template inside the window when no consent stands in the way', () => {
    fc.assert(
      fc.property(
        scenarioArb('whatsapp'),
        intentArb('whatsapp'),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        (scenario, intent, elapsed) => {
          const history = [
            ...scenario.history.filter((event) => event.at <= scenario.at - DAY_MS),
            userMessage(scenario.at),
          ]
          const decision = decide(
            intent,
            { ...contextOf(scenario), history, consent: [] },
            scenario.at + elapsed,
          )
          const isBrokenTemplate =
            intent.kind === 'template' && ['paused_notice', 'no_such'].includes(intent.template.name)
          expect(decision.allowed).toBe(!isBrokenTemplate)
          expect(decision.window.state).toBe('open')
        },
      ),
    )
  })
})
