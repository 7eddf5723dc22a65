import {
  applyEvent,
  decide,
  formatInstant,
  NEW_CONTACT,
  templateCatalog,
  type ConsentEvent,
  type ContactState,
  type Intent,
  type PolicySettings,
  type PricingEra,
  type RateCard,
  type SentMessage,
  type TemplateCategory,
} from '../../domain/index.js'
import { whatsappInbound } from '../../channels/whatsapp/inbound-message.js'
import type { ChannelRecord, MessageRecord } from '../../store/store.js'
import type { ReplayTally } from './replay-tally.js'

/** What one side of a replay judges by: a channel's settings (with a what-if's laid over them), cards and era. */
export interface ReplayPolicy {
  readonly settings: PolicySettings
  readonly rateCards: readonly RateCard[]
  /** Imposed on every WhatsApp message; `null`: the era in force at its instant. */
  readonly pricingEra: PricingEra | null
}

/**
 * The templates a replay sends in Meta's categories: a status tells the category Meta billed a message in, not
 * which template it was, so each stands for every template of its category (approved, not Issue Resolution).
 */
const STAND_INS: Readonly<Record<'MARKETING' | 'UTILITY' | 'AUTHENTICATION', string>> = {
  MARKETING: 'replayed_marketing',
  UTILITY: 'replayed_utility',
  AUTHENTICATION: 'replayed_authentication',
}
const CATALOG = templateCatalog(
  (Object.entries(STAND_INS) as [TemplateCategory, string][]).map(([category, name]) => ({
    name,
    language: 'en',
    category,
    status: 'APPROVED',
    issueResolution: false,
    body: 'Replayed message',
  })),
)

/**
 * What a message was, from Meta's `pricing` of it: a template of its category, or a free-form (service) message —
 * also for the free entry point's `referral_conversion`, whose messages may be either. `null` when it does not say.
 */
export function sentFromPricing(pricingJson: string | null): SentMessage | null {
  if (pricingJson === null) return null
  let category: unknown
  try {
    category = (JSON.parse(pricingJson) as { category?: unknown }).category
  } catch {
    return null
  }
  switch (typeof category === 'string' ? category.toLowerCase().replace('-', '_') : '') {
    case 'marketing':
    case 'marketing_lite':
      return { type: 'template', category: 'MARKETING' }
    case 'utility':
    case 'business_initiated':
      return { type: 'template', category: 'UTILITY' }
    case 'authentication':
    case 'authentication_international':
      return { type: 'template', category: 'AUTHENTICATION' }
    case 'service':
    case 'user_initiated':
    case 'referral_conversion':
      return { type: 'session' }
    default:
      return null
  }
}

function intentOf(sent: SentMessage): Intent {
  if (sent.type !== 'template') return { platform: 'whatsapp', kind: 'session', messageType: 'text' }
  const name = STAND_INS[sent.category as keyof typeof STAND_INS]
  return { platform: 'whatsapp', kind: 'template', template: { name, language: { code: 'en' } } }
}

/** CBP's free tier: conversations counted against it, per channel and calendar month (UTC). */
export type FreeTierCounts = Map<string, number>

/**
 * One contact's history decided again under one policy, message by message in time order: customers' messages fold
 * into the state as the inbox folds them, and each sent message is decided (domain `decide`) against the state and
 * consent of its instant; an allowed one is folded in as sent, and added up with its price.
 */
export class ContactReplay {
  private state: ContactState = NEW_CONTACT

  constructor(
    private readonly channel: ChannelRecord,
    private readonly contactId: string,
    /** The contact's consent ledger (with what is assumed before the history, see replay.ts). */
    private readonly consent: readonly ConsentEvent[],
    private readonly policy: ReplayPolicy,
    private readonly tally: ReplayTally,
    private readonly freeTier: FreeTierCounts,
  ) {}

  take(message: MessageRecord): void {
    if (message.direction === 'inbound') this.inbound(message)
    else this.outbound(message)
  }

  private inbound(message: MessageRecord): void {
    this.tally.inbound++
    // Messenger's sent messages are not replayed (docs/import.md): its state is not needed.
    if (this.channel.platform !== 'whatsapp' || message.bodyJson === null) return
    const { event } = whatsappInbound(JSON.parse(message.bodyJson) as object, message.at)
    this.state = applyEvent(this.state, 'whatsapp', event, this.policy.settings)
  }

  private outbound(message: MessageRecord): void {
    this.tally.outbound++
    if (message.status === 'failed') {
      this.tally.failed++
      return
    }
    const sent = this.channel.platform === 'whatsapp' ? sentFromPricing(message.metaPricingJson) : null
    if (sent === null) {
      this.tally.notReplayed++
      return
    }
    const { settings, rateCards, pricingEra } = this.policy
    const month = `${this.channel.id}:${formatInstant(message.at).slice(0, 7)}`
    const decision = decide(
      intentOf(sent),
      {
        history: this.state,
        consent: this.consent,
        templates: CATALOG,
        settings,
        contact: this.contactId,
        rateCards,
        freeTierConversationsUsed: this.freeTier.get(month) ?? 0,
        ...(pricingEra === null ? {} : { pricingEra }),
      },
      message.at,
    )
    this.tally.decided(decision)
    if (!decision.allowed) return
    if (decision.billing.type === 'free_tier') this.freeTier.set(month, (this.freeTier.get(month) ?? 0) + 1)
    this.state = applyEvent(
      this.state,
      'whatsapp',
      { kind: 'outbound', at: message.at, sent: decision.sent },
      settings,
    )
  }
}
