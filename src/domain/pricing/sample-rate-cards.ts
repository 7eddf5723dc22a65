import { utcDate } from '../time.js'
import type { RateCard, Rates } from './rate-card.js'

/**
 * SAMPLE FIGURES. These cards exist so examples and demos can show prices; the numbers are illustrative,
 * in the right order of magnitude, and are NOT Meta's rates. Load Meta's published rate card for your
 * markets (see docs/pricing.md) before relying on any amount.
 */

const micros = (usd: number): number => Math.round(usd * 1_000_000)

function row(rates: Partial<Record<keyof Rates, number>>): Rates {
  return Object.fromEntries(Object.entries(rates).map(([category, usd]) => [category, micros(usd)]))
}

const LABEL = 'SAMPLE FIGURES — illustrative only, not Meta’s rates'

export const SAMPLE_RATE_CARDS: readonly RateCard[] = Object.freeze([
  {
    id: 'sample-2018-nbp',
    label: `${LABEL} (notification-based pricing)`,
    currency: 'USD',
    effectiveFrom: utcDate('2018-08-01'),
    isSample: true,
    rates: {
      NL: row({ notification: 0.065, notification_in_window: 0.005 }),
      DE: row({ notification: 0.075, notification_in_window: 0.005 }),
      GB: row({ notification: 0.045, notification_in_window: 0.005 }),
      US: row({ notification: 0.009, notification_in_window: 0.005 }),
      IN: row({ notification: 0.006, notification_in_window: 0.004 }),
      '*': row({ notification: 0.04, notification_in_window: 0.005 }),
    },
  },
  {
    id: 'sample-2022-cbp',
    label: `${LABEL} (conversation-based pricing, user/business-initiated)`,
    currency: 'USD',
    effectiveFrom: utcDate('2022-02-01'),
    isSample: true,
    rates: {
      NL: row({ user_initiated: 0.086, business_initiated: 0.1435 }),
      DE: row({ user_initiated: 0.0788, business_initiated: 0.1365 }),
      GB: row({ user_initiated: 0.0388, business_initiated: 0.0705 }),
      US: row({ user_initiated: 0.0088, business_initiated: 0.0147 }),
      IN: row({ user_initiated: 0.0042, business_initiated: 0.0091 }),
      '*': row({ user_initiated: 0.0365, business_initiated: 0.0604 }),
    },
  },
  {
    id: 'sample-2023-cbp',
    label: `${LABEL} (conversation-based pricing, four categories)`,
    currency: 'USD',
    effectiveFrom: utcDate('2023-06-01'),
    isSample: true,
    rates: {
      NL: row({ marketing: 0.16, utility: 0.08, authentication: 0.0722, service: 0.0965 }),
      DE: row({ marketing: 0.1365, utility: 0.0788, authentication: 0.0768, service: 0.0804 }),
      GB: row({ marketing: 0.0705, utility: 0.0388, authentication: 0.0358, service: 0.0388 }),
      US: row({ marketing: 0.025, utility: 0.015, authentication: 0.0135, service: 0.0088 }),
      IN: row({ marketing: 0.0107, utility: 0.0042, authentication: 0.0014, service: 0.0035 }),
      '*': row({ marketing: 0.0604, utility: 0.0365, authentication: 0.0318, service: 0.0329 }),
    },
  },
  {
    id: 'sample-2025-pmp',
    label: `${LABEL} (per-message pricing)`,
    currency: 'USD',
    effectiveFrom: utcDate('2025-07-01'),
    isSample: true,
    rates: {
      NL: row({ marketing: 0.1597, utility: 0.05, authentication: 0.0464, service: 0.0096 }),
      DE: row({ marketing: 0.1365, utility: 0.055, authentication: 0.0768, service: 0.008 }),
      GB: row({ marketing: 0.0529, utility: 0.022, authentication: 0.0358, service: 0.0039 }),
      US: row({ marketing: 0.025, utility: 0.0034, authentication: 0.0034, service: 0.0009 }),
      IN: row({ marketing: 0.0107, utility: 0.0014, authentication: 0.0014, service: 0.0004 }),
      '*': row({ marketing: 0.0604, utility: 0.008, authentication: 0.0077, service: 0.0033 }),
    },
  },
])
