import type { Decision } from '../../domain/index.js'

/** What a category of allowed messages cost in one currency. */
export interface CategoryCost {
  readonly messages: number
  readonly amountMicros: number
}

/** One side of a replay: the traffic as decided under one set of settings. */
export interface ReplayTotals {
  /** Customers' messages (WhatsApp and Messenger). */
  readonly inbound: number
  /** Messages the business sent, as history's statuses tell of them. */
  readonly outbound: number
  /** Sent messages whose statuses never said how Meta billed them: what was sent is unknown, so they are not decided. */
  readonly notReplayed: number
  /** Sent messages Meta reported failed: never billed, not decided. */
  readonly failed: number
  readonly allowed: number
  /** Refusals by reason (`WINDOW_CLOSED`, `OPTED_OUT` …). */
  readonly refused: Readonly<Record<string, number>>
  /** Allowed messages no rate card prices (no card in force, or no rate for their market and category). */
  readonly unpriced: number
  /** Allowed messages and their price, by currency, then Meta's pricing category of the era. */
  readonly costs: Readonly<Record<string, Readonly<Record<string, CategoryCost>>>>
}

/** Adds up a side of a replay as its messages are decided. */
export class ReplayTally {
  inbound = 0
  outbound = 0
  notReplayed = 0
  failed = 0
  allowed = 0
  unpriced = 0
  private readonly refused = new Map<string, number>()
  private readonly costs = new Map<string, Map<string, { messages: number; amountMicros: number }>>()

  decided(decision: Decision): void {
    if (!decision.allowed) {
      this.refused.set(decision.reason, (this.refused.get(decision.reason) ?? 0) + 1)
      return
    }
    this.allowed++
    const price = decision.billing.price
    if (price === null) {
      this.unpriced++
      return
    }
    let categories = this.costs.get(price.currency)
    if (categories === undefined) {
      categories = new Map()
      this.costs.set(price.currency, categories)
    }
    const cost = categories.get(decision.billing.category) ?? { messages: 0, amountMicros: 0 }
    categories.set(decision.billing.category, {
      messages: cost.messages + 1,
      amountMicros: cost.amountMicros + price.amountMicros,
    })
  }

  totals(): ReplayTotals {
    const sorted = <T>(map: ReadonlyMap<string, T>): Record<string, T> =>
      Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)))
    return {
      inbound: this.inbound,
      outbound: this.outbound,
      notReplayed: this.notReplayed,
      failed: this.failed,
      allowed: this.allowed,
      refused: sorted(this.refused),
      unpriced: this.unpriced,
      costs: Object.fromEntries(
        [...this.costs]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([currency, map]) => [currency, sorted(map)]),
      ),
    }
  }
}
