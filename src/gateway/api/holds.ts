import { heldMessageJson } from '../../representations/held-message-json.js'
import { JOB_KINDS } from '../../scheduler/jobs.js'
import type { ChannelRecord, HeldMessageRecord, HoldStatus } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

type HoldDependencies = Pick<NativeApiDependencies, 'store' | 'clock'>

/** A contact's held replies, oldest first (the order they are released in), optionally of one status. */
export async function listContactHolds(
  deps: HoldDependencies,
  channel: ChannelRecord,
  contactId: string,
  status?: HoldStatus,
): Promise<{ data: Record<string, unknown>[] }> {
  const holds = await deps.store.listHolds(channel.id, contactId, status)
  return { data: holds.map((hold) => heldMessageJson(hold, channel)) }
}

/** One of the tenant's held replies. Another tenant's is not found exactly like a missing one. */
export async function tenantHold(
  deps: HoldDependencies,
  tenantId: string,
  holdId: string,
): Promise<Record<string, unknown>> {
  const { hold, channel } = await findTenantHold(deps, tenantId, holdId)
  return heldMessageJson(hold, channel)
}

/**
 * Cancels a held reply so it is never sent. Only a `held` one can be: the change is conditional on that status in
 * the database, so a reply the scheduler releases at the same moment stays released (409) — it is never reported
 * cancelled after it went out.
 */
export async function cancelHold(
  deps: HoldDependencies,
  tenantId: string,
  holdId: string,
): Promise<Record<string, unknown>> {
  const { channel } = await findTenantHold(deps, tenantId, holdId)
  const isCancelled = await deps.store.updateHold(holdId, { status: 'cancelled' }, 'held')
  const hold = await deps.store.getHold(holdId)
  if (hold === undefined) throw notFound(holdId)
  if (!isCancelled)
    throw new GatewayError(
      'CONFLICT',
      `held reply ${holdId} is ${hold.status}${hold.status === 'cancelled' ? ' already' : ''}; only a held one can be cancelled`,
    )
  // Its expiry (the job holdReply scheduled) has nothing left to do.
  await deps.store.cancelJob(`${JOB_KINDS.holdExpiry}:${holdId}`, deps.clock())
  return heldMessageJson(hold, channel)
}

async function findTenantHold(
  deps: HoldDependencies,
  tenantId: string,
  holdId: string,
): Promise<{ readonly hold: HeldMessageRecord; readonly channel: ChannelRecord }> {
  const hold = await deps.store.getHold(holdId)
  const channel =
    hold === undefined
      ? undefined
      : (await deps.store.listChannels({ tenantId })).find((candidate) => candidate.id === hold.channelId)
  if (hold === undefined || channel === undefined) throw notFound(holdId)
  return { hold, channel }
}

function notFound(holdId: string): GatewayError {
  return new GatewayError('NOT_FOUND', `there is no held reply '${holdId}'`)
}
