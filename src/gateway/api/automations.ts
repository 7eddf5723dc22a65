import type { Automations } from '../../config/automations.js'
import type { ChannelRecord } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

type AutomationDependencies = Pick<NativeApiDependencies, 'store' | 'directory' | 'clock'>

/** A channel's automations as stored (read past the directory's cache: another instance may have changed them). */
export async function channelAutomations(
  deps: AutomationDependencies,
  channel: ChannelRecord,
): Promise<Automations> {
  return (await freshChannel(deps, channel)).automations
}

/**
 * Replaces a channel's automations. Timed work reads them when it runs, so a switch turned off takes effect at
 * once; one turned on applies to windows from the customer's next message.
 */
export async function replaceAutomations(
  deps: AutomationDependencies,
  channel: ChannelRecord,
  automations: Automations,
): Promise<Automations> {
  const stored = await deps.store.transaction(async (tx) => {
    // The stored channel, not the cached one: nothing else of its configuration is written back stale.
    const current = await tx.findChannel(channel.platform, channel.externalId)
    if (current === undefined) throw gone(channel)
    return tx.upsertChannel({ ...current, automations, updatedAt: deps.clock() })
  })
  deps.directory.invalidate()
  return stored.automations
}

async function freshChannel(deps: AutomationDependencies, channel: ChannelRecord): Promise<ChannelRecord> {
  const current = await deps.store.findChannel(channel.platform, channel.externalId)
  if (current === undefined) throw gone(channel)
  return current
}

function gone(channel: ChannelRecord): GatewayError {
  return new GatewayError(
    'NOT_FOUND',
    `there is no channel '${channel.externalId}' (phone_number_id or Page id)`,
  )
}
