import type { Instant, Platform } from '../../domain/index.js'
import type { Automations } from '../../config/automations.js'
import type { UpstreamConfig } from '../../channels/upstream.js'

export type { UpstreamConfig }

export interface ChannelRecord {
  readonly id: string
  readonly tenantId: string
  readonly platform: Platform
  /** `phone_number_id` (WhatsApp) or Page id (Messenger). */
  readonly externalId: string
  readonly upstream: UpstreamConfig
  readonly appSecret: string
  readonly verifyToken: string
  /** The channel's policy settings as configured (snake_case JSON, see config/policy-settings.ts). */
  readonly settings: Readonly<Record<string, unknown>>
  /** The channel's automations (config/automations.ts). */
  readonly automations: Automations
  /** The WhatsApp Business Account of the number, when configured (Meta's template updates name it). */
  readonly wabaId: string | null
  readonly createdAt: Instant
  readonly updatedAt: Instant
}

/**
 * Channels: a tenant's WhatsApp numbers and Messenger Pages, each with its upstream, Meta app secret, policy
 * settings and automations.
 */
export interface ChannelStore {
  /** Creates the channel or replaces its configuration (by platform and external id). */
  upsertChannel(channel: ChannelRecord): Promise<ChannelRecord>
  findChannel(platform: Platform, externalId: string): Promise<ChannelRecord | undefined>
  listChannels(filter?: {
    readonly tenantId?: string
    readonly platform?: Platform
  }): Promise<ChannelRecord[]>
}
