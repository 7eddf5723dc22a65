import {
  rateCardsForTenant,
  templateCatalog,
  type Platform,
  type PolicySettings,
  type RateCard,
  type TemplateCatalog,
} from '../domain/index.js'
import { policySettingsSchema, toPolicySettings } from '../config/policy-settings.js'
import type { ApiKeyRole, ChannelRecord, Store, TenantRecord } from '../store/store.js'
import type { Clock } from '../shared/clock.js'
import { hashApiKey } from '../shared/ids.js'

/**
 * How long looked-up API keys, tenants, channels, templates and rate cards are reused before they are read again: a change made
 * by another process (the CLI, another instance) is seen within this time — a key revoked there stops working here
 * at the latest this long after. Changes made through this process's directory apply at once.
 */
export const DIRECTORY_TTL_MS = 5_000

interface Cached<T> {
  readonly value: T
  readonly until: number
}

/** Who a request's API key speaks for, and what it may do. */
export interface KeyHolder {
  readonly tenant: TenantRecord
  readonly keyId: string
  readonly role: ApiKeyRole
}

/** A channel's policy: its settings for the engine (its prices come from {@link Directory.rateCardsOf}). */
export interface ChannelPolicy {
  readonly settings: PolicySettings
}

/**
 * Looks up who is calling and what they send through, with short-lived caches: every send needs its
 * tenant, channel, settings and templates, which change rarely. Writes through this process invalidate
 * at once; changes by other processes are seen within {@link DIRECTORY_TTL_MS}.
 */
export class Directory {
  private readonly keys = new Map<string, Cached<KeyHolder | undefined>>()
  private readonly channels = new Map<string, Cached<ChannelRecord | undefined>>()
  private readonly platformChannels = new Map<Platform, Cached<ChannelRecord[]>>()
  private readonly allChannels = new Map<'all', Cached<ChannelRecord[]>>()
  private readonly templates = new Map<string, Cached<TemplateCatalog>>()
  private readonly tenantRateCards = new Map<string, Cached<readonly RateCard[]>>()
  private readonly policies = new Map<
    string,
    { readonly updatedAt: number; readonly policy: ChannelPolicy }
  >()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** The config file's cards, for every tenant. */
    readonly configuredRateCards: readonly RateCard[],
  ) {}

  /** The tenant an API key belongs to, or `undefined` for unknown and revoked keys. */
  async tenantForKey(key: string): Promise<TenantRecord | undefined> {
    return (await this.holderOfKey(key))?.tenant
  }

  /** Who calls with an API key: its tenant and the key's role; `undefined` for unknown and revoked keys. */
  holderOfKey(key: string): Promise<KeyHolder | undefined> {
    const hash = hashApiKey(key)
    return this.cached(this.keys, hash, async () => {
      const record = await this.store.findApiKey(hash)
      const tenant = record === undefined ? undefined : await this.store.getTenant(record.tenantId)
      return record === undefined || tenant === undefined
        ? undefined
        : { tenant, keyId: record.id, role: record.role }
    })
  }

  /**
   * Loaders take `via`, the store to read through on a cache miss: inside a transaction that must be the
   * transaction's store (on SQLite another read would wait for the transaction's own connection forever).
   */
  channel(
    platform: Platform,
    externalId: string,
    via: Store = this.store,
  ): Promise<ChannelRecord | undefined> {
    return this.cached(this.channels, `${platform}:${externalId}`, () =>
      via.findChannel(platform, externalId),
    )
  }

  /** A channel by carewindow's own id (jobs refer to channels that way). */
  async channelById(id: string): Promise<ChannelRecord | undefined> {
    const channels = await this.cached(this.allChannels, 'all', () => this.store.listChannels())
    return channels.find((channel) => channel.id === id)
  }

  /** A tenant's channel; `undefined` when it does not exist or belongs to someone else (callers answer 404 either way). */
  async tenantChannel(
    tenantId: string,
    platform: Platform,
    externalId: string,
  ): Promise<ChannelRecord | undefined> {
    const channel = await this.channel(platform, externalId)
    return channel?.tenantId === tenantId ? channel : undefined
  }

  /** A platform's channels; `fresh` reads them again (a signature no cached channel verifies may be a new one's). */
  channelsOf(
    platform: Platform,
    options: { readonly fresh?: boolean; readonly via?: Store } = {},
  ): Promise<ChannelRecord[]> {
    if (options.fresh === true) this.platformChannels.delete(platform)
    const via = options.via ?? this.store
    return this.cached(this.platformChannels, platform, () => via.listChannels({ platform }))
  }

  templatesOf(channel: ChannelRecord, via: Store = this.store): Promise<TemplateCatalog> {
    return this.cached(this.templates, channel.id, async () =>
      templateCatalog(await via.listTemplates(channel.id)),
    )
  }

  policyOf(channel: ChannelRecord): ChannelPolicy {
    const known = this.policies.get(channel.id)
    if (known?.updatedAt === channel.updatedAt) return known.policy
    // Settings were validated when the channel was configured; an unreadable row falls back to the defaults.
    const parsed = policySettingsSchema.safeParse(channel.settings)
    const policy = { settings: toPolicySettings(parsed.success ? parsed.data : {}) }
    this.policies.set(channel.id, { updatedAt: channel.updatedAt, policy })
    return policy
  }

  /**
   * The cards a tenant's messages are priced from: the configured ones, replaced from its first own card on by its
   * own (domain/pricing/tenant-rate-cards.ts). A card stored through this process applies to the next decision here
   * ({@link invalidateRateCards}); one stored by another process, within {@link DIRECTORY_TTL_MS}.
   */
  rateCardsOf(tenantId: string, via: Store = this.store): Promise<readonly RateCard[]> {
    return this.cached(this.tenantRateCards, tenantId, async () => {
      const own = await via.listRateCards(tenantId)
      return rateCardsForTenant(
        this.configuredRateCards,
        own.map((stored) => stored.card),
      )
    })
  }

  /** Forget a tenant's rate cards after this process changed them. */
  invalidateRateCards(tenantId: string): void {
    this.tenantRateCards.delete(tenantId)
  }

  /**
   * Revokes an API key (by its id) and forgets every cached key lookup, so the key stops working in this process at
   * once; other processes stop accepting it within {@link DIRECTORY_TTL_MS}. `false` when there is no live key with
   * that id.
   */
  async revokeApiKey(id: string, at: number = this.clock()): Promise<boolean> {
    const isRevoked = await this.store.revokeApiKey(id, at)
    // Also when nothing was revoked here: another process may have revoked it a moment ago.
    this.keys.clear()
    return isRevoked
  }

  /** Forget a channel's templates after this process changed them. */
  invalidateTemplates(channelId: string): void {
    this.templates.delete(channelId)
  }

  /** Forget everything, after tenants, keys or channels changed. */
  invalidate(): void {
    this.keys.clear()
    this.channels.clear()
    this.platformChannels.clear()
    this.allChannels.clear()
    this.templates.clear()
    this.tenantRateCards.clear()
  }

  private async cached<K, T>(cache: Map<K, Cached<T>>, key: K, load: () => Promise<T>): Promise<T> {
    const now = this.clock()
    const hit = cache.get(key)
    if (hit !== undefined && hit.until > now) return hit.value
    const value = await load()
    if (cache.size > 10_000) cache.clear()
    cache.set(key, { value, until: now + DIRECTORY_TTL_MS })
    return value
  }
}
