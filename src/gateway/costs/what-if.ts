import {
  repriceMessage,
  type Conversation,
  type Instant,
  type RateCard,
  type RepricingPolicy,
} from '../../domain/index.js'
import { eraOrderIssues, policySettingsSchema, toPolicySettings } from '../../config/policy-settings.js'
import type { WhatIf } from '../../config/what-if.js'
import { GatewayError } from '../../shared/errors.js'
import type { ChannelRecord, MessageCursor, MessageRecord, Store } from '../../store/store.js'
import type { Directory } from '../directory.js'
import { messageFilterOf } from '../api/message-filter.js'
import { periodProblem } from '../api/costs.js'
import { groupCosts, totalsOf, type CostEntry, type CostGroup, type CostTotal } from './cost-groups.js'
import { pricedFactsOf } from './priced-facts.js'

/** The most messages one what-if reprices (a year of about 55,000 sends a day); past it, ask for a shorter period. */
export const MAX_WHAT_IF_MESSAGES = 20_000_000
/** Messages read per page as the period is walked, oldest first. */
const PAGE = 1_000
/** Pages between sweeps of the conversations that have closed. */
const SWEEP_PAGES = 50

export interface WhatIfQuery {
  readonly from: Instant
  readonly to: Instant
  /** A phone_number_id or Page id; every channel of the tenant's when left out. */
  readonly channel?: string
  readonly whatIf: WhatIf
}

/** One side of a what-if: what the period's sends cost under its settings. */
export interface WhatIfSide {
  /** Per currency; `null`: messages without a price (no rate card prices them, or never charged: Messenger). */
  readonly totals: readonly CostTotal[]
  readonly byCategory: readonly CostGroup[]
  readonly byChannel: readonly CostGroup[]
}

/** How a group's cost changes: the current amount, the what-if's, and what-if minus current (in micros). */
export interface CostChange {
  readonly values: readonly (string | null)[]
  readonly currency: string | null
  readonly current: { readonly messages: number; readonly amountMicros: number }
  readonly whatIf: { readonly messages: number; readonly amountMicros: number }
  readonly differenceMicros: number
}

export interface WhatIfReport {
  readonly from: Instant
  readonly to: Instant
  readonly channel: string | null
  /** The sends carewindow allowed in the period (what GET /v1/costs counts by default). */
  readonly messages: number
  /** Those priced again: WhatsApp messages with a decision recorded (the rest keep their recorded price on both sides). */
  readonly repriced: number
  /** The recorded prices, as GET /v1/costs reports them. */
  readonly recorded: readonly CostTotal[]
  readonly current: WhatIfSide
  readonly whatIf: WhatIfSide
  readonly differences: {
    readonly totals: readonly CostChange[]
    readonly byCategory: readonly CostChange[]
    readonly byChannel: readonly CostChange[]
  }
}

/**
 * The tenant's allowed sends of `[from, to)` priced twice: under its current settings (each channel's settings and
 * the tenant's rate cards, as a send is priced now) and under the what-if's. Each message keeps the decision context
 * it had (what was sent, whether the window or a free entry point window was open, the market, the instant): a
 * what-if prices again, it does not decide again (`carewindow replay` does). The period is read a page at a time,
 * oldest first, so CBP conversations are followed contact by contact; memory holds the sums and the conversations
 * still open, never the messages.
 */
export async function whatIfReport(
  deps: {
    readonly store: Store
    readonly directory: Pick<Directory, 'rateCardsOf' | 'configuredRateCards'>
  },
  tenantId: string,
  query: WhatIfQuery,
): Promise<WhatIfReport> {
  const problem = periodProblem(query.from, query.to)
  if (problem !== null) throw new GatewayError('INVALID_REQUEST', problem)
  const { filter, channels } = await messageFilterOf(deps.store, tenantId, {
    from: query.from,
    to: query.to,
    direction: 'outbound',
    allowed: true,
    ...(query.channel === undefined ? {} : { channel: query.channel }),
  })
  const period = { ...filter, from: query.from, to: query.to }
  const recorded = totalsOf(await deps.store.sumMessageCosts(period, { byDay: false, columns: [] }, 1_000))
  const messages = recorded.reduce((sum, total) => sum + total.messages, 0)
  if (messages > MAX_WHAT_IF_MESSAGES)
    throw new GatewayError(
      'INVALID_REQUEST',
      `the period holds ${messages.toLocaleString('en-US')} sends, more than the ${MAX_WHAT_IF_MESSAGES.toLocaleString('en-US')} a what-if prices again: ask for a shorter period or one channel`,
    )
  const currentCards = await deps.directory.rateCardsOf(tenantId)
  const whatIfCards = cardsOf(query.whatIf, currentCards, deps.directory.configuredRateCards)
  const policies = new Map(
    channels.map((channel) => [channel.id, policiesOf(channel, query.whatIf, currentCards, whatIfCards)]),
  )
  const sides = { current: new Side(), whatIf: new Side() }
  let repriced = 0
  let after: MessageCursor | undefined
  for (let pages = 1; ; pages++) {
    const page = await deps.store.searchMessages(period, {
      limit: PAGE,
      oldestFirst: true,
      ...(after === undefined ? {} : { after }),
    })
    for (const message of page) {
      const policy = policies.get(message.channelId)
      const facts = policy === undefined ? null : pricedFactsOf(message)
      if (policy === undefined || facts === null) {
        sides.current.addRecorded(message)
        sides.whatIf.addRecorded(message)
        continue
      }
      repriced++
      sides.current.reprice(message, facts, policy.current)
      sides.whatIf.reprice(message, facts, policy.whatIf)
    }
    const last = page.at(-1)
    if (last === undefined || page.length < PAGE) break
    after = { at: last.at, id: last.id }
    if (pages % SWEEP_PAGES === 0) {
      sides.current.forgetClosedConversations(last.at)
      sides.whatIf.forgetClosedConversations(last.at)
    }
  }
  const labels = new Map(channels.map((channel) => [channel.id, channel.externalId]))
  const label = (channelId: string) => labels.get(channelId) ?? channelId
  const current = sides.current.summary(label)
  const whatIf = sides.whatIf.summary(label)
  return {
    from: query.from,
    to: query.to,
    channel: query.channel ?? null,
    messages,
    repriced,
    recorded,
    current,
    whatIf,
    differences: {
      totals: changes(
        current.totals.map((total) => ({ ...total, values: [] })),
        whatIf.totals.map((total) => ({ ...total, values: [] })),
      ),
      byCategory: changes(current.byCategory, whatIf.byCategory),
      byChannel: changes(current.byChannel, whatIf.byChannel),
    },
  }
}

function cardsOf(
  whatIf: WhatIf,
  current: readonly RateCard[],
  configured: readonly RateCard[],
): readonly RateCard[] {
  if (whatIf.rateCards === undefined) return current
  if (whatIf.rateCards === 'config') return configured
  return whatIf.rateCards
}

/**
 * Both sides' pricing on a channel. The what-if's settings are laid over the channel's own and checked together, so
 * a date that would put the pricing eras out of order with the channel's own is a 400 naming the setting.
 */
function policiesOf(
  channel: ChannelRecord,
  whatIf: WhatIf,
  currentCards: readonly RateCard[],
  whatIfCards: readonly RateCard[],
): { readonly current: RepricingPolicy; readonly whatIf: RepricingPolicy } {
  const stored = policySettingsSchema.safeParse(channel.settings)
  const own = stored.success ? stored.data : {}
  const laid = { ...own, ...whatIf.settings }
  const issues = eraOrderIssues(laid)
  if (issues.length > 0)
    throw new GatewayError(
      'INVALID_REQUEST',
      `${issues.map((issue) => `settings.${issue.path[0]}: ${issue.message}`).join('; ')} (laid over the settings of channel ${channel.externalId})`,
    )
  return {
    current: { settings: toPolicySettings(own), rateCards: currentCards, pricingEra: null },
    whatIf: { settings: toPolicySettings(laid), rateCards: whatIfCards, pricingEra: whatIf.pricingEra },
  }
}

/** One side's sums by channel, category and currency, and the CBP conversations still open per contact. */
class Side {
  private readonly sums = new Map<string, { -readonly [K in keyof CostEntry]: CostEntry[K] }>()
  private readonly conversations = new Map<string, readonly Conversation[]>()

  reprice(
    message: MessageRecord,
    facts: NonNullable<ReturnType<typeof pricedFactsOf>>,
    policy: RepricingPolicy,
  ): void {
    const contact = `${message.channelId}\u0000${message.contactId}`
    const { billing, conversations } = repriceMessage(facts, policy, this.conversations.get(contact) ?? [])
    if (conversations.length === 0) this.conversations.delete(contact)
    else this.conversations.set(contact, conversations)
    this.add(
      message.channelId,
      billing.category,
      billing.price?.currency ?? null,
      billing.price?.amountMicros ?? 0,
    )
  }

  /** A message that is not priced again keeps what was recorded for it. */
  addRecorded(message: MessageRecord): void {
    this.add(message.channelId, message.category ?? null, message.currency, message.priceMicros ?? 0)
  }

  /** Drops the contacts none of whose conversations is open at `at` (the walk only moves forward). */
  forgetClosedConversations(at: Instant): void {
    for (const [contact, conversations] of this.conversations)
      if (conversations.every((conversation) => conversation.expiresAt <= at))
        this.conversations.delete(contact)
  }

  summary(label: (channelId: string) => string): WhatIfSide {
    const entries = [...this.sums.values()]
    return {
      totals: totalsOf(entries),
      byCategory: groupCosts(entries, ['category']),
      byChannel: groupCosts(entries, ['channel'], label),
    }
  }

  private add(channelId: string, category: string | null, currency: string | null, amountMicros: number) {
    const key = JSON.stringify([channelId, category, currency])
    const sum = this.sums.get(key)
    if (sum === undefined) this.sums.set(key, { channelId, category, currency, messages: 1, amountMicros })
    else {
      sum.messages++
      sum.amountMicros += amountMicros
    }
  }
}

/** Each group of either side with both sides' figures, in the order of the groups (none last), then currency. */
function changes(
  current: readonly Pick<CostGroup, 'values' | 'currency' | 'messages' | 'amountMicros'>[],
  whatIf: readonly Pick<CostGroup, 'values' | 'currency' | 'messages' | 'amountMicros'>[],
): CostChange[] {
  const keyOf = (group: Pick<CostGroup, 'values' | 'currency'>) =>
    JSON.stringify([...group.values, group.currency])
  const none = { messages: 0, amountMicros: 0 }
  const rows = new Map<string, CostChange>()
  for (const group of current)
    rows.set(keyOf(group), {
      values: group.values,
      currency: group.currency,
      current: { messages: group.messages, amountMicros: group.amountMicros },
      whatIf: none,
      differenceMicros: -group.amountMicros,
    })
  for (const group of whatIf) {
    const known = rows.get(keyOf(group))
    const cost = { messages: group.messages, amountMicros: group.amountMicros }
    rows.set(keyOf(group), {
      values: group.values,
      currency: group.currency,
      current: known?.current ?? none,
      whatIf: cost,
      differenceMicros: cost.amountMicros - (known?.current.amountMicros ?? 0),
    })
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.values.reduce((order, value, index) => order || compare(value, b.values[index] ?? null), 0) ||
      compare(a.currency, b.currency),
  )
}

function compare(a: string | null, b: string | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}
