import type { Instant } from '../../domain/index.js'
import type {
  ChannelRecord,
  MessageDirection,
  MessageFilter,
  MessageStatus,
  Store,
} from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import { contactIdOf } from './channels.js'

/** Which messages, as a client names them: channels by their phone_number_id or Page id, a contact as written. */
export interface MessageFilterInput {
  readonly from?: Instant
  readonly to?: Instant
  /** A phone_number_id or Page id. */
  readonly channel?: string
  /** A wa_id however written, a business-scoped user id, or a PSID. */
  readonly contact?: string
  readonly direction?: MessageDirection
  readonly allowed?: boolean
  readonly reasons?: readonly string[]
  readonly categories?: readonly string[]
  readonly pricingModels?: readonly string[]
  readonly billingTypes?: readonly string[]
  readonly markets?: readonly string[]
  readonly statuses?: readonly MessageStatus[]
}

/**
 * The store's filter for a tenant's (or, with `tenantId` null, every tenant's) messages, and its channels. An unknown
 * channel is a 400 (another tenant's too, so ids cannot be probed). A contact is keyed as each channel keys it: on
 * WhatsApp the wa_id of a number however it is written, on Messenger the PSID as given; without a channel, each of
 * the tenant's channels that can key it is searched (a 400 only when none can, saying why).
 */
export async function messageFilterOf(
  store: Pick<Store, 'listChannels'>,
  tenantId: string | null,
  input: MessageFilterInput,
): Promise<{ readonly filter: MessageFilter; readonly channels: readonly ChannelRecord[] }> {
  const channels = await store.listChannels(tenantId === null ? {} : { tenantId })
  const named =
    input.channel === undefined
      ? undefined
      : (channels.find(
          (channel) => channel.platform === 'whatsapp' && channel.externalId === input.channel,
        ) ?? channels.find((channel) => channel.externalId === input.channel))
  if (input.channel !== undefined && named === undefined)
    throw new GatewayError(
      'INVALID_REQUEST',
      `channel: there is no channel '${input.channel}' (a phone_number_id or Page id of yours; GET /v1/channels lists them)`,
    )
  const searched = named === undefined ? channels : [named]
  const contactIds = input.contact === undefined ? undefined : contactIdsOf(searched, input.contact)
  const filter: MessageFilter = {
    tenantId,
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
    // A contact is looked for per channel, which the (channel, contact) index answers.
    ...(named !== undefined || contactIds !== undefined
      ? { channelIds: searched.map((channel) => channel.id) }
      : {}),
    ...(contactIds === undefined ? {} : { contactIds }),
    ...(input.direction === undefined ? {} : { direction: input.direction }),
    ...(input.allowed === undefined ? {} : { allowed: input.allowed }),
    ...(input.reasons === undefined ? {} : { reasons: input.reasons }),
    ...(input.categories === undefined ? {} : { categories: input.categories }),
    ...(input.pricingModels === undefined ? {} : { pricingModels: input.pricingModels }),
    ...(input.billingTypes === undefined ? {} : { billingTypes: input.billingTypes }),
    ...(input.markets === undefined ? {} : { markets: input.markets }),
    ...(input.statuses === undefined ? {} : { statuses: input.statuses }),
  }
  return { filter, channels }
}

/** The ids `contact` has on the channels that can key it; a 400 with the first channel's reason when none can. */
function contactIdsOf(channels: readonly ChannelRecord[], contact: string): string[] {
  const ids = new Set<string>()
  let problem: GatewayError | null = null
  for (const channel of channels) {
    try {
      ids.add(contactIdOf(channel, contact))
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error
      problem ??= error
    }
  }
  if (ids.size === 0 && problem !== null) throw problem
  return [...ids]
}
