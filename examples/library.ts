import { decide, explain, parseInstant, type ContactEvent } from '@carewindow/policy'

const at = (iso: string) => parseInstant(iso) ?? Number.NaN
const history: ContactEvent[] = [{ kind: 'inbound', at: at('2024-03-01T10:00:00Z') }] // the customer's "Hi"
const text = { platform: 'whatsapp', kind: 'session', messageType: 'text' } as const

const early = decide(text, { history }, at('2024-03-01T10:05:00Z'))
const late = decide(text, { history }, at('2024-03-02T11:00:00Z'))
console.log(early.allowed, early.reason) // true IN_CARE_WINDOW
console.log(late.allowed, late.reason, late.rules) // false WINDOW_CLOSED [ 'CCW-4', 'CCW-6' ]
console.log(explain(late)) // Refused: the customer care window closed at 2024-03-02 10:00 UTC, 24 h after …
